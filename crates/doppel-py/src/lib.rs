//! `doppel._doppel`: the native module behind the Python package `doppel`
//! (python/doppel), a thin layer over the engine, the report model and the
//! reference index — the same calls the command line makes, so a report
//! from Python is byte for byte the command line's.
//!
//! What crosses the boundary is plain: texts in (borrowed from Python's
//! strings, never copied on CPython ≥ 3.10), JSON text or raw
//! little-endian `u64` bytes out; the Python package turns them into
//! objects and NumPy arrays. Every long call releases the GIL and runs on
//! rayon's threads. Settings arrive as keyword arguments named as the
//! command line's flags (underscored), are checked here by name and type,
//! and start from `Config::default()`; no default is written twice.

use doppel::config::{Config, SETTING_NAMES};
use doppel::corpus::Document;
use doppel::lsh::{self, LshParams};
use doppel::minhash::{self, MinHasher, Signature};
use doppel::shingle::{ShingleKind, WordShingler};
use doppel_index::IndexError;
use doppel_index::check::{Checker, Mode};
use doppel_report::{Format, RenderOptions, Report};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::sync::MutexExt;
use pyo3::types::{PyByteArray, PyDict, PyString};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// New documents checked per round, as `doppel check` does.
const CHECK_BATCH: usize = 256;

/// The kind of value a keyword argument takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A non-negative integer.
    Count,
    /// A number (int or float).
    Real,
    /// `True` or `False`.
    Switch,
    /// A string.
    Text,
}

/// The engine's settings whose flags are switches of their own: the
/// shingle kind and the two TF-IDF switches, which say the opposite of
/// their fields. Every other engine setting is one of `SETTING_NAMES`, set
/// at its field and typed by its default, so a setting the engine and the
/// command line gain is a keyword argument here too.
const SWITCHES: &[&str] = &["char_shingles", "no_stem", "keep_stop_words"];

/// The keyword arguments that are no engine setting, with their kinds.
const OTHERS: &[(&str, Kind)] = &[
    ("all", Kind::Switch),
    ("within", Kind::Switch),
    ("threads", Kind::Count),
    ("mode", Kind::Text),
];

/// The engine's settings by keyword (`compare`, `scan`).
fn engine_names() -> Vec<&'static str> {
    SETTING_NAMES
        .iter()
        .map(|(_, name)| *name)
        .chain(SWITCHES.iter().copied())
        .collect()
}

/// The field a keyword sets, if it is one of `SETTING_NAMES`.
fn field_of(name: &str) -> Option<&'static str> {
    SETTING_NAMES
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(field, _)| *field)
}

/// A configuration as JSON, numbers as the report writes them (an `f32`
/// by its shortest form: 0.27, not 0.2700000107).
fn config_json(cfg: &Config) -> PyResult<serde_json::Value> {
    serde_json::to_string(cfg)
        .and_then(|s| serde_json::from_str(&s))
        .map_err(|e| PyValueError::new_err(format!("settings: {e}")))
}

/// The value at a dotted field path (`align.min_passage_words`).
fn at<'v>(v: &'v mut serde_json::Value, field: &str) -> Option<&'v mut serde_json::Value> {
    field.split('.').try_fold(v, |v, key| v.get_mut(key))
}

/// The kind of value a keyword takes.
fn kind_of(name: &str) -> Option<Kind> {
    if SWITCHES.contains(&name) {
        return Some(Kind::Switch);
    }
    if let Some(&(_, kind)) = OTHERS.iter().find(|(n, _)| *n == name) {
        return Some(kind);
    }
    let mut d = config_json(&Config::default()).ok()?;
    match at(&mut d, field_of(name)?)? {
        serde_json::Value::Bool(_) => Some(Kind::Switch),
        serde_json::Value::Number(n) if n.is_u64() => Some(Kind::Count),
        serde_json::Value::Number(_) => Some(Kind::Real),
        serde_json::Value::String(_) => Some(Kind::Text),
        _ => None,
    }
}

/// The parameters an index fixes when it is built.
const INDEX_PARAMS: &[&str] = &[
    "num_perm",
    "shingle_size",
    "char_shingles",
    "lsh_threshold",
    "no_stem",
    "keep_stop_words",
];

/// The settings a check may choose (the rest are the index's).
const QUERY: &[&str] = &[
    "cosine_threshold",
    "top_k",
    "rewrite_candidates",
    "seed_threshold",
    "min_passage_words",
    "duplicate",
    "near_duplicate",
    "mode",
    "all",
    "within",
    "threads",
];

/// A keyword argument's value, checked against its kind.
#[derive(Clone, Debug)]
enum Value {
    Count(usize),
    Real(f64),
    Switch(bool),
    Text(String),
}

impl Value {
    /// The value as a configuration's JSON holds it.
    fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Count(n) => (*n as u64).into(),
            Value::Real(x) => (*x).into(),
            Value::Switch(b) => (*b).into(),
            Value::Text(t) => t.as_str().into(),
        }
    }
}

/// The keyword arguments of one call, checked by name and type.
#[derive(Default)]
struct Given(HashMap<&'static str, Value>);

impl Given {
    /// Check `kwargs` against the names `allowed` for `call`.
    fn parse(
        call: &str,
        kwargs: Option<&Bound<'_, PyDict>>,
        allowed: &[&'static str],
    ) -> PyResult<Given> {
        let mut given = Given::default();
        let Some(kwargs) = kwargs else {
            return Ok(given);
        };
        for (key, value) in kwargs.iter() {
            let key: String = key
                .extract()
                .map_err(|_| PyTypeError::new_err(format!("{call}() keywords must be strings")))?;
            let found = allowed
                .iter()
                .find(|n| **n == key)
                .and_then(|n| Some((*n, kind_of(n)?)));
            let Some((name, kind)) = found else {
                return Err(PyTypeError::new_err(format!(
                    "{call}() got an unexpected keyword argument '{key}' (it takes {})",
                    allowed.join(", ")
                )));
            };
            given.0.insert(name, value_of(name, kind, &value)?);
        }
        Ok(given)
    }

    fn count(&self, name: &str) -> Option<usize> {
        match self.0.get(name) {
            Some(Value::Count(n)) => Some(*n),
            _ => None,
        }
    }

    fn real(&self, name: &str) -> Option<f64> {
        match self.0.get(name) {
            Some(Value::Real(x)) => Some(*x),
            _ => None,
        }
    }

    fn switch(&self, name: &str) -> Option<bool> {
        match self.0.get(name) {
            Some(Value::Switch(b)) => Some(*b),
            _ => None,
        }
    }

    fn text(&self, name: &str) -> Option<&str> {
        match self.0.get(name) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// Set the engine's settings given in `cfg`, as the command line's
    /// flags do (not validated): each at its field, the switches as their
    /// flags say.
    fn apply(&self, cfg: &mut Config) -> PyResult<()> {
        let mut v = config_json(cfg)?;
        for (name, value) in &self.0 {
            let (field, json) = match (*name, value) {
                ("char_shingles", Value::Switch(b)) => {
                    ("shingle.kind", (if *b { "chars" } else { "words" }).into())
                }
                ("no_stem", Value::Switch(b)) => ("stem", (!b).into()),
                ("keep_stop_words", Value::Switch(b)) => ("stop_words", (!b).into()),
                (name, value) => match field_of(name) {
                    Some(field) => (field, value.to_json()),
                    None => continue,
                },
            };
            if let Some(slot) = at(&mut v, field) {
                *slot = json;
            }
        }
        *cfg = serde_json::from_value(v)
            .map_err(|e| raise("InvalidSetting", format!("settings: {e}"), None))?;
        Ok(())
    }

    /// The configuration these settings describe, from the defaults,
    /// validated; fitted to a JSON report (no heat-map matrices).
    fn config(&self) -> PyResult<Config> {
        let mut cfg = Config::default();
        self.apply(&mut cfg)?;
        checked(cfg)
    }

    /// A pool of `threads` workers if given (0: one per core), else none
    /// (rayon's global pool).
    fn pool(&self) -> PyResult<Option<rayon::ThreadPool>> {
        match self.count("threads") {
            None => Ok(None),
            Some(n) if n > 1024 => Err(PyValueError::new_err(format!(
                "threads must be at most 1024 (0: one per core), not {n}"
            ))),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map(Some)
                .map_err(|e| PyValueError::new_err(format!("threads: cannot start workers: {e}"))),
        }
    }
}

/// Validate `cfg` and fit it to a JSON report, as `--format json` does.
fn checked(cfg: Config) -> PyResult<Config> {
    cfg.validate().map_err(|e| setting_error(&e.to_string()))?;
    Ok(doppel_report::fit_settings(cfg, [Format::Json]))
}

/// Check one keyword argument's value.
fn value_of(name: &str, kind: Kind, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    let type_name = || {
        value
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into())
    };
    let is_bool = value.is_instance_of::<pyo3::types::PyBool>();
    match kind {
        Kind::Switch if is_bool => Ok(Value::Switch(value.extract()?)),
        Kind::Switch => Err(PyTypeError::new_err(format!(
            "{name} must be True or False, not {}",
            type_name()
        ))),
        Kind::Count if !is_bool && value.is_instance_of::<pyo3::types::PyInt>() => {
            match value.extract::<usize>() {
                Ok(n) => Ok(Value::Count(n)),
                Err(_) => Err(PyValueError::new_err(format!(
                    "{name} must be a non-negative integer, not {}",
                    value.repr().map(|r| r.to_string()).unwrap_or_default()
                ))),
            }
        }
        Kind::Count => Err(PyTypeError::new_err(format!(
            "{name} must be an integer, not {}",
            type_name()
        ))),
        Kind::Real
            if !is_bool
                && (value.is_instance_of::<pyo3::types::PyInt>()
                    || value.is_instance_of::<pyo3::types::PyFloat>()) =>
        {
            let x: f64 = value.extract()?;
            if x.is_finite() {
                Ok(Value::Real(x))
            } else {
                Err(PyValueError::new_err(format!(
                    "{name} must be a finite number, not {x}"
                )))
            }
        }
        Kind::Real => Err(PyTypeError::new_err(format!(
            "{name} must be a number, not {}",
            type_name()
        ))),
        Kind::Text => match value.cast::<PyString>() {
            Ok(s) => Ok(Value::Text(s.extract::<String>()?)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "{name} must be a string, not {}",
                type_name()
            ))),
        },
    }
}

/// An engine's message about its settings (named by field, in
/// backticks) with each setting shown by its keyword.
fn keyword_names(message: &str) -> String {
    let mut out = message.replace("invalid configuration: ", "");
    for (field, name) in SETTING_NAMES {
        out = out.replace(&format!("`{field}`"), name);
    }
    out
}

/// One of the package's exceptions (`doppel._errors`), with `message`.
fn raise(class: &str, message: String, path: Option<&std::path::Path>) -> PyErr {
    Python::attach(|py| {
        let made = (|| -> PyResult<PyErr> {
            let cls = py.import("doppel._errors")?.getattr(class)?;
            let err = cls.call1((message.clone(),))?;
            if let Some(p) = path {
                err.setattr("path", p.display().to_string())?;
            }
            Ok(PyErr::from_value(err))
        })();
        made.unwrap_or_else(|e| e)
    })
}

/// An invalid setting: `doppel.InvalidSetting`, a `ValueError`.
fn setting_error(message: &str) -> PyErr {
    raise("InvalidSetting", keyword_names(message), None)
}

/// An index error as the package's exception for its kind.
fn index_error(e: IndexError) -> PyErr {
    let message = doppel::chain(&e);
    let (class, path) = match &e {
        IndexError::ParamMismatch { path, .. } => ("ParameterMismatch", Some(path)),
        IndexError::AlreadyIndexed { path, .. }
        | IndexError::DuplicateInput { path, .. }
        | IndexError::UnknownId { path, .. } => ("DocumentError", Some(path)),
        IndexError::Config(m) => return setting_error(m),
        IndexError::Missing { path }
        | IndexError::Exists { path }
        | IndexError::NotAnIndex { path, .. }
        | IndexError::Damaged { path, .. }
        | IndexError::NewerVersion { path, .. }
        | IndexError::UnknownVersion { path, .. }
        | IndexError::Fingerprint { path, .. }
        | IndexError::NoSentenceBands { path }
        | IndexError::Io { path, .. }
        | IndexError::Sqlite { path, .. } => ("IndexFileError", Some(path)),
    };
    let message = match class {
        "ParameterMismatch" => message.replace("drop the flag", "drop the keyword"),
        _ => message,
    };
    raise(class, message, path.map(PathBuf::as_path))
}

/// The documents of parallel lists of ids and texts.
fn documents(ids: Vec<String>, texts: &[PyBackedStr]) -> Vec<Document> {
    ids.into_iter()
        .zip(texts)
        .map(|(id, text)| Document::new(id, &**text))
        .collect()
}

/// `f` on `pool` if there is one, else on rayon's global pool.
fn run<T: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// A report as `doppel … --format json` prints it.
fn report_json(report: &Report) -> PyResult<String> {
    let mut out = Vec::new();
    doppel_report::render(report, Format::Json, &RenderOptions::default(), &mut out)
        .map_err(|e| PyValueError::new_err(format!("cannot write the report: {e}")))?;
    String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The settings' defaults, by keyword, from `Config::default()`.
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let mut d = config_json(&Config::default())?;
    let out = PyDict::new(py);
    let mut put = |name: &str, field: &str, flip: bool| -> PyResult<()> {
        match at(&mut d, field).cloned().unwrap_or_default() {
            serde_json::Value::Bool(b) => out.set_item(name, b != flip),
            serde_json::Value::Number(n) => match n.as_u64() {
                Some(u) => out.set_item(name, u),
                None => out.set_item(name, n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => out.set_item(name, s == "chars"),
            other => out.set_item(name, other.to_string()),
        }
    };
    for (field, name) in SETTING_NAMES {
        put(name, field, false)?;
    }
    put("char_shingles", "shingle.kind", false)?;
    put("no_stem", "stem", true)?;
    put("keep_stop_words", "stop_words", true)?;
    Ok(out)
}

/// Compare two texts in full: the pair object of the JSON report, as
/// `doppel compare A B --format json` writes it.
#[pyfunction]
#[pyo3(signature = (a, b, a_id, b_id, **settings))]
fn compare(
    py: Python<'_>,
    a: PyBackedStr,
    b: PyBackedStr,
    a_id: String,
    b_id: String,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let cfg = Given::parse("compare", settings, &engine_names())?.config()?;
    let report = py.detach(|| {
        let docs = [Document::new(a_id, &*a), Document::new(b_id, &*b)];
        let (features, pair) = doppel::pipeline::compare(&docs[0], &docs[1], &cfg);
        Report::build(&docs, &features, std::slice::from_ref(&pair), true, &cfg)
    });
    serde_json::to_string(&report.pairs[0]).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Scan a corpus: the JSON report `doppel scan --format json` prints.
#[pyfunction]
#[pyo3(signature = (ids, texts, **settings))]
fn scan(
    py: Python<'_>,
    ids: Vec<String>,
    texts: Vec<PyBackedStr>,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<String> {
    let allowed: Vec<&str> = engine_names()
        .into_iter()
        .chain(["all", "threads"])
        .collect();
    let given = Given::parse("scan", settings, &allowed)?;
    let cfg = given.config()?;
    let all = given.switch("all").unwrap_or(false);
    let pool = given.pool()?;
    if ids.len() != texts.len() {
        return Err(PyValueError::new_err("scan(): as many ids as texts"));
    }
    let report = py.detach(|| {
        run(&pool, || {
            let docs = documents(ids, &texts);
            let scan = doppel::pipeline::scan_with(&docs, &cfg, doppel::progress::NONE);
            Report::build(&docs, &scan.stats, &scan.pairs, all, &cfg)
        })
    });
    report_json(&report)
}

/// Signs texts as `doppel scan --minhash-only`, `dedup` and the index do.
#[pyclass(frozen, module = "doppel._doppel", name = "MinHasher")]
struct PyMinHasher {
    hasher: MinHasher,
    shingle: ShingleKind,
}

#[pymethods]
impl PyMinHasher {
    #[new]
    #[pyo3(signature = (**settings))]
    fn new(settings: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let given = Given::parse(
            "MinHasher",
            settings,
            &["num_perm", "shingle_size", "char_shingles"],
        )?;
        let cfg = given.config()?;
        Ok(PyMinHasher {
            hasher: MinHasher::new(cfg.num_perm),
            shingle: cfg.shingle,
        })
    }

    /// Values per signature.
    #[getter]
    fn num_perm(&self) -> usize {
        self.hasher.k()
    }

    /// Words (or characters) per shingle.
    #[getter]
    fn shingle_size(&self) -> usize {
        self.shingle.size()
    }

    /// Whether shingles are character n-grams.
    #[getter]
    fn char_shingles(&self) -> bool {
        matches!(self.shingle, ShingleKind::Chars(_))
    }

    /// The signatures of `texts`, row after row, as little-endian `u64`
    /// bytes (n × num_perm values); parallel over texts, without the GIL.
    #[pyo3(signature = (texts, threads=None))]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        threads: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyByteArray>> {
        let pool = threads_pool(threads)?;
        let k = self.hasher.k();
        // Written in place into the bytearray handed back, without the GIL
        // (nothing else can see the new object yet).
        PyByteArray::new_with(py, texts.len() * k * 8, |out| {
            py.detach(|| {
                run(&pool, || {
                    use rayon::prelude::*;
                    out.par_chunks_mut(k * 8)
                        .zip(texts.par_iter())
                        .for_each_init(WordShingler::default, |words, (row, text)| {
                            let sig = self.sign_one(words, text);
                            for (slot, v) in row.chunks_exact_mut(8).zip(&sig.0) {
                                slot.copy_from_slice(&v.to_le_bytes());
                            }
                        });
                })
            });
            Ok(())
        })
    }

    /// The band keys of `texts` under `lsh`'s banding, as `dedup` keys
    /// them: rows of `lsh.bands` little-endian `u64` keys, and whether each
    /// text has keys (an empty shingle set has none and is never a
    /// candidate; its row is zeros). Parallel over texts, without the GIL.
    #[pyo3(signature = (texts, lsh, threads=None))]
    fn band_keys<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        lsh: PyRef<'py, PyLsh>,
        threads: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyByteArray>, Vec<bool>)> {
        if lsh.num_perm != self.hasher.k() {
            return Err(PyValueError::new_err(format!(
                "an LSH of num_perm={} for a MinHasher of num_perm={}",
                lsh.num_perm,
                self.hasher.k()
            )));
        }
        let pool = threads_pool(threads)?;
        let params = lsh.params;
        let bands = params.bands;
        let mut keyed = vec![false; texts.len()];
        let out = PyByteArray::new_with(py, texts.len() * bands * 8, |out| {
            py.detach(|| {
                run(&pool, || {
                    use rayon::prelude::*;
                    out.par_chunks_mut((bands * 8).max(1))
                        .zip(keyed.par_iter_mut())
                        .zip(texts.par_iter())
                        .for_each_init(WordShingler::default, |words, ((row, has), text)| {
                            let keys = lsh::band_keys(&self.sign_one(words, text), &params);
                            *has = !keys.is_empty();
                            for (slot, k) in row.chunks_exact_mut(8).zip(&keys) {
                                slot.copy_from_slice(&k.to_le_bytes());
                            }
                        });
                })
            });
            Ok(())
        })?;
        Ok((out, keyed))
    }

    /// The exact Jaccard similarity of the shingle sets of `a[i]` and
    /// `b[i]`, for each `i`: the score `dedup` and `scan --minhash-only`
    /// verify a candidate pair by. Parallel over pairs, without the GIL.
    #[pyo3(signature = (a, b, threads=None))]
    fn exact_jaccard(
        &self,
        py: Python<'_>,
        a: Vec<PyBackedStr>,
        b: Vec<PyBackedStr>,
        threads: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<f64>> {
        if a.len() != b.len() {
            return Err(PyValueError::new_err(format!(
                "exact_jaccard(): {} texts against {}: as many of each",
                a.len(),
                b.len()
            )));
        }
        let pool = threads_pool(threads)?;
        let kind = self.shingle;
        Ok(py.detach(|| {
            run(&pool, || {
                use rayon::prelude::*;
                a.par_iter()
                    .zip(b.par_iter())
                    .map(|(a, b)| {
                        minhash::jaccard(
                            &doppel::batch::shingles(a, kind),
                            &doppel::batch::shingles(b, kind),
                        )
                    })
                    .collect()
            })
        }))
    }
}

/// A pool of `threads` workers if given (0: one per core), else none.
fn threads_pool(threads: Option<&Bound<'_, PyAny>>) -> PyResult<Option<rayon::ThreadPool>> {
    let mut given = Given::default();
    if let Some(t) = threads {
        given
            .0
            .insert("threads", value_of("threads", Kind::Count, t)?);
    }
    given.pool()
}

impl PyMinHasher {
    /// The signature of one text: the set [`doppel::batch::shingles`]
    /// gives, signed. Word shingles of a text with words are hashed from
    /// its norms in one buffer ([`WordShingler`], the same set, as
    /// `bench-stage sign` hashes them): a third faster.
    fn sign_one(&self, words: &mut WordShingler, text: &str) -> Signature {
        if let ShingleKind::Words(n) = self.shingle {
            let hashes = words.hashes(text, n);
            if !hashes.is_empty() {
                return self.hasher.sign(hashes);
            }
        }
        self.hasher
            .sign(&doppel::batch::shingles(text, self.shingle))
    }
}

/// Signature values from little-endian bytes.
fn signature(bytes: &[u8], what: &str) -> PyResult<Signature> {
    if bytes.len() % 8 != 0 {
        return Err(PyValueError::new_err(format!(
            "{what}: {} bytes is not a whole number of 64-bit values",
            bytes.len()
        )));
    }
    Ok(Signature(
        bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
            .collect(),
    ))
}

/// Estimated Jaccard similarity of two signatures (little-endian bytes):
/// the share of positions where they agree; 0 for an empty set's.
#[pyfunction]
fn jaccard(a: &[u8], b: &[u8]) -> PyResult<f64> {
    let (a, b) = (signature(a, "sig_a")?, signature(b, "sig_b")?);
    if a.len() != b.len() {
        return Err(PyValueError::new_err(format!(
            "signatures of {} and {} values: compare signatures of one MinHasher",
            a.len(),
            b.len()
        )));
    }
    Ok(minhash::estimate_jaccard(&a, &b))
}

/// LSH buckets of signatures under integer slots (the Python class maps
/// keys to slots).
#[pyclass(frozen, module = "doppel._doppel", name = "LshTable")]
struct PyLsh {
    params: LshParams,
    num_perm: usize,
    threshold: f64,
    inner: Mutex<Buckets>,
}

#[derive(Default)]
struct Buckets {
    /// Band key → slots, in insertion order.
    buckets: HashMap<u64, Vec<u64>>,
    /// Slot → its band keys.
    keys: HashMap<u64, Vec<u64>>,
}

#[pymethods]
impl PyLsh {
    /// Bands tuned for `threshold` on signatures of `num_perm` values:
    /// by `weights` (false positives, false negatives) if given, else as
    /// `dedup` and `scan --minhash-only` band.
    #[new]
    #[pyo3(signature = (threshold=None, num_perm=None, weights=None))]
    fn new(
        threshold: Option<&Bound<'_, PyAny>>,
        num_perm: Option<&Bound<'_, PyAny>>,
        weights: Option<(f64, f64)>,
    ) -> PyResult<Self> {
        let mut cfg = Config::default();
        if let Some(t) = threshold {
            if let Value::Real(t) = value_of("threshold", Kind::Real, t)? {
                cfg.lsh_threshold = t;
            }
        }
        if let Some(n) = num_perm {
            if let Value::Count(n) = value_of("num_perm", Kind::Count, n)? {
                cfg.num_perm = n;
            }
        }
        cfg.validate()
            .map_err(|e| setting_error(&e.to_string().replace("`lsh_threshold`", "threshold")))?;
        let params = match weights {
            None => doppel::pipeline::minhash_lsh_params(&cfg),
            Some((fp, fneg)) => {
                if !(fp.is_finite() && fneg.is_finite() && fp >= 0.0 && fneg >= 0.0)
                    || fp + fneg == 0.0
                {
                    return Err(raise(
                        "InvalidSetting",
                        format!(
                            "weights must be two non-negative numbers, not both 0: ({fp}, {fneg})"
                        ),
                        None,
                    ));
                }
                LshParams::optimal(cfg.lsh_threshold, cfg.num_perm, fp, fneg)
            }
        };
        Ok(PyLsh {
            params,
            num_perm: cfg.num_perm,
            threshold: cfg.lsh_threshold,
            inner: Mutex::new(Buckets::default()),
        })
    }

    #[getter]
    fn bands(&self) -> usize {
        self.params.bands
    }

    #[getter]
    fn rows(&self) -> usize {
        self.params.rows
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.num_perm
    }

    #[getter]
    fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Band keys of a signature (little-endian bytes).
    fn band_keys(&self, sig: &[u8]) -> PyResult<Vec<u64>> {
        let sig = signature(sig, "signature")?;
        if sig.len() != self.num_perm {
            return Err(PyValueError::new_err(format!(
                "a signature of {} values for an LSH of num_perm={}",
                sig.len(),
                self.num_perm
            )));
        }
        Ok(lsh::band_keys(&sig, &self.params))
    }

    /// File `slot` under the bands of `sig`.
    fn insert(&self, py: Python<'_>, slot: u64, sig: &[u8]) -> PyResult<()> {
        let keys = self.band_keys(sig)?;
        let mut b = self
            .inner
            .lock_py_attached(py)
            .unwrap_or_else(|e| e.into_inner());
        for &k in &keys {
            b.buckets.entry(k).or_default().push(slot);
        }
        b.keys.insert(slot, keys);
        Ok(())
    }

    /// The slots sharing a band with `sig`, in insertion order.
    fn query(&self, py: Python<'_>, sig: &[u8]) -> PyResult<Vec<u64>> {
        let keys = self.band_keys(sig)?;
        let b = self
            .inner
            .lock_py_attached(py)
            .unwrap_or_else(|e| e.into_inner());
        let mut found: Vec<u64> = keys
            .iter()
            .filter_map(|k| b.buckets.get(k))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// Take `slot` out of its bands.
    fn remove(&self, py: Python<'_>, slot: u64) {
        let mut b = self
            .inner
            .lock_py_attached(py)
            .unwrap_or_else(|e| e.into_inner());
        if let Some(keys) = b.keys.remove(&slot) {
            for k in keys {
                if let Some(v) = b.buckets.get_mut(&k) {
                    v.retain(|&s| s != slot);
                    if v.is_empty() {
                        b.buckets.remove(&k);
                    }
                }
            }
        }
    }
}

/// A reference index: the SQLite file of `doppel index`.
#[pyclass(frozen, module = "doppel._doppel", name = "IndexFile")]
struct PyIndex {
    path: PathBuf,
    inner: Mutex<Option<Opened>>,
}

/// An open index, and whether it was opened to write.
struct Opened {
    index: doppel_index::Index,
    writable: bool,
}

impl PyIndex {
    /// `f` on the open index (opened to write first if `write`), without
    /// the GIL.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        write: bool,
        f: impl FnOnce(&mut doppel_index::Index) -> Result<T, PyErr> + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let Some(opened) = guard.as_mut() else {
                return Err(self.closed_error());
            };
            if write && !opened.writable {
                let index = doppel_index::Index::open(&self.path).map_err(index_error)?;
                *opened = Opened {
                    index,
                    writable: true,
                };
            }
            f(&mut opened.index)
        })
    }
}

impl PyIndex {
    /// An error if the index was closed.
    fn open_check(&self) -> PyResult<()> {
        match *self.inner.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(_) => Ok(()),
            None => Err(self.closed_error()),
        }
    }

    fn closed_error(&self) -> PyErr {
        raise(
            "IndexFileError",
            format!("{}: the index is closed", self.path.display()),
            Some(&self.path),
        )
    }
}

#[pymethods]
impl PyIndex {
    /// Open the index at `path` (to read; it is opened to write on the
    /// first add or remove), or with `create` make a new empty one with
    /// the index parameters given (refusing an existing file unless
    /// `force`). Parameters given for an existing index must be its own.
    #[new]
    #[pyo3(signature = (path, create=false, force=false, **params))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        create: bool,
        force: bool,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let given = Given::parse("Index", params, INDEX_PARAMS)?;
        let flags = doppel_index::ParamFlags {
            num_perm: given.count("num_perm"),
            shingle_size: given.count("shingle_size"),
            char_shingles: given.switch("char_shingles").unwrap_or(false),
            lsh_threshold: given.real("lsh_threshold"),
            no_stem: given.switch("no_stem").unwrap_or(false),
            keep_stop_words: given.switch("keep_stop_words").unwrap_or(false),
        };
        let opened = py.detach(|| -> PyResult<Opened> {
            if create {
                let params = flags.params().map_err(index_error)?;
                let builder =
                    doppel_index::Builder::new(&path, &params, force).map_err(index_error)?;
                builder.finish().map_err(index_error)?;
            }
            let index = doppel_index::Index::open_read_only(&path).map_err(index_error)?;
            index
                .params()
                .check_flags(&flags, &path)
                .map_err(index_error)?;
            Ok(Opened {
                index,
                writable: false,
            })
        })?;
        Ok(PyIndex {
            path,
            inner: Mutex::new(Some(opened)),
        })
    }

    /// The index file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Add documents (ids new to the index), in one transaction.
    fn add(&self, py: Python<'_>, ids: Vec<String>, texts: Vec<PyBackedStr>) -> PyResult<usize> {
        self.with(py, true, |index| {
            index.add(&documents(ids, &texts)).map_err(index_error)
        })
    }

    /// Store the sentence band keys of every document, and of every
    /// document added later (`doppel index add --rewrite-candidates`).
    fn store_sentence_bands(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, true, |index| {
            index.store_sentence_bands().map_err(index_error)
        })
    }

    /// Remove documents by id, in one transaction.
    fn remove(&self, py: Python<'_>, ids: Vec<String>) -> PyResult<usize> {
        self.with(py, true, |index| index.remove(&ids).map_err(index_error))
    }

    /// Number of reference documents.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.with(py, false, |index| {
            index.len().map(|n| n as usize).map_err(index_error)
        })
    }

    /// What `doppel index stats --json` prints, as JSON.
    fn stats(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, false, |index| {
            let s = index.stats().map_err(index_error)?;
            serde_json::to_string_pretty(&s).map_err(|e| PyValueError::new_err(e.to_string()))
        })
    }

    /// What `doppel index list --json` prints: one JSON object a line.
    fn list(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, false, |index| {
            index
                .list()
                .map_err(index_error)?
                .iter()
                .map(|d| serde_json::to_string(d).map_err(|e| PyValueError::new_err(e.to_string())))
                .collect()
        })
    }

    /// Check new documents against the index: per document, the line
    /// `doppel check --format jsonl` writes for it.
    #[pyo3(signature = (ids, texts, **settings))]
    fn check(
        &self,
        py: Python<'_>,
        ids: Vec<String>,
        texts: Vec<PyBackedStr>,
        settings: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<String>> {
        let allowed: Vec<&str> = QUERY.iter().chain(INDEX_PARAMS).copied().collect();
        let given = Given::parse("check", settings, &allowed)?;
        let flags = doppel_index::ParamFlags {
            num_perm: given.count("num_perm"),
            shingle_size: given.count("shingle_size"),
            char_shingles: given.switch("char_shingles").unwrap_or(false),
            lsh_threshold: given.real("lsh_threshold"),
            no_stem: given.switch("no_stem").unwrap_or(false),
            keep_stop_words: given.switch("keep_stop_words").unwrap_or(false),
        };
        let mode = match given.text("mode").unwrap_or("full") {
            "full" => Mode::Full,
            "near-duplicate" => Mode::NearDuplicate,
            other => {
                return Err(PyValueError::new_err(format!(
                    "mode must be \"full\" or \"near-duplicate\", not {other:?}"
                )));
            }
        };
        let all = given.switch("all").unwrap_or(false);
        let within = given.switch("within").unwrap_or(false);
        let pool = given.pool()?;
        // A reader of its own, opened inside the pool: the checker opens
        // one connection per worker thread of the pool it runs in.
        py.detach(|| {
            run(&pool, || {
                self.open_check()?;
                let index = doppel_index::Index::open_read_only(&self.path).map_err(index_error)?;
                index
                    .params()
                    .check_flags(&flags, &self.path)
                    .map_err(index_error)?;
                let mut cfg = index.params().config();
                given.apply(&mut cfg)?;
                let cfg = checked(cfg)?;
                let docs = documents(ids, &texts);
                let mut within: Vec<Vec<doppel_report::PairReport>> = if within {
                    doppel_report::check::within(&docs, &cfg, all, doppel::progress::NONE)
                } else {
                    vec![Vec::new(); docs.len()]
                };
                let mut checker = Checker::new(&index, &cfg, mode).map_err(index_error)?;
                checker.expect(docs.len()).map_err(index_error)?;
                let mut lines = Vec::with_capacity(docs.len());
                for (b, batch) in docs.chunks(CHECK_BATCH).enumerate() {
                    for (k, c) in checker
                        .check(batch)
                        .map_err(index_error)?
                        .into_iter()
                        .enumerate()
                    {
                        let (docs, feats, pairs) = c.into_parts(all);
                        let mut report = Report::build(&docs, &feats, &pairs, true, &cfg);
                        report.pairs.append(&mut within[b * CHECK_BATCH + k]);
                        if let Some(line) = doppel_report::check::Line::of(&report) {
                            lines.push(
                                serde_json::to_string(&line)
                                    .map_err(|e| PyValueError::new_err(e.to_string()))?,
                            );
                        }
                    }
                }
                Ok(lines)
            })
        })
    }

    /// Close the index (its connection); later calls raise.
    fn close(&self, py: Python<'_>) {
        py.detach(|| {
            self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        });
    }

    /// Whether the index was closed.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        py.detach(|| {
            self.inner
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_none()
        })
    }
}

/// The native module.
#[pymodule]
fn _doppel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(jaccard, m)?)?;
    m.add_class::<PyMinHasher>()?;
    m.add_class::<PyLsh>()?;
    m.add_class::<PyIndex>()?;
    Ok(())
}
