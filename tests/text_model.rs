//! The text model on what real and hostile text holds. First the
//! best-known ways of hiding a copy from a checker, applied to the seeds'
//! 000: invisible characters inside words, look-alike letters of other
//! scripts, accents sprinkled on vowels. Each copy must still be a
//! duplicate of the original, and its passage must slice the copy's own
//! text (offsets are the copy's, invisible characters and all). Then
//! scripts whose sentences end without a space or a capital.

use doppel::config::Config;
use doppel::corpus::Document;
use doppel::pipeline;
use doppel::score::Verdict;
use doppel_synth::SplitMix64;

use crate::common::disguise;
use disguise::{cyrillic_lookalikes, far_lookalikes, sprinkle};

fn doppel_cmd() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_doppel"))
}

fn original() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join("000_51955296cd91fa83.txt");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn invisible_characters_look_alike_letters_and_accents_hide_no_copy() {
    let text = original();
    let cyrillic = cyrillic_lookalikes(&text);
    let copies = [
        (
            "zero-width spaces",
            sprinkle(&text, char::is_alphabetic, '\u{200B}', 0.5, 1),
        ),
        (
            "soft hyphens",
            sprinkle(&text, char::is_alphabetic, '\u{00AD}', 0.3, 2),
        ),
        (
            "zero-width non-joiners",
            sprinkle(&text, char::is_alphabetic, '\u{200C}', 0.3, 3),
        ),
        ("Cyrillic look-alikes", cyrillic),
        (
            "Armenian, Cherokee, Lisu and Greek look-alikes",
            far_lookalikes(&text),
        ),
        (
            "variation selectors",
            sprinkle(&text, char::is_alphabetic, '\u{FE0F}', 0.3, 5),
        ),
        (
            "tag characters",
            sprinkle(&text, char::is_alphabetic, '\u{E0061}', 0.3, 6),
        ),
        (
            "combining accents",
            sprinkle(&text, |c| "aeiou".contains(c), '\u{0301}', 0.3, 4),
        ),
    ];
    let a = Document::new("000", text.clone());
    for (what, copy) in copies {
        assert_ne!(copy, text);
        let b = Document::new(what, copy.clone());
        let (_, pair) = pipeline::compare(&a, &b, &Config::default());
        assert_eq!(
            pair.verdict,
            Verdict::Duplicate,
            "{what}: {:?}",
            pair.scores
        );
        assert!(pair.scores.jaccard > 0.99, "{what}: {:?}", pair.scores);
        assert_eq!(pair.alignment.passages.len(), 1, "{what}");
        let p = &pair.alignment.passages[0];
        assert!(copy.is_char_boundary(p.b.start) && copy.is_char_boundary(p.b.end));
        assert!(
            (p.b.end - p.b.start) * 10 >= copy.len() * 9,
            "{what}: the passage spans the copy"
        );
    }
}

/// `text` hard-wrapped at `width` columns, a word that would cross the
/// margin broken with a hyphen after its first half (as typesetters and
/// old word processors do), its second half opening the next line.
fn wrap_hyphenated(text: &str, width: usize) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        let mut col = 0;
        for word in para.split_whitespace() {
            let n = word.chars().count();
            if col > 0 && col + 1 + n > width {
                let room = width.saturating_sub(col + 2);
                let head = room.min(n / 2);
                if head >= 2 && n - head >= 2 && word.chars().all(char::is_alphabetic) {
                    let cut = word.char_indices().nth(head).unwrap().0;
                    out.push(' ');
                    out.push_str(&word[..cut]);
                    out.push_str("-\n");
                    out.push_str(&word[cut..]);
                    col = n - head;
                    continue;
                }
                out.push('\n');
                col = 0;
            } else if col > 0 {
                out.push(' ');
                col += 1;
            }
            out.push_str(word);
            col += n;
        }
        out.push_str("\n\n");
    }
    out
}

/// A copy hard-wrapped with words hyphenated at the line ends is still a
/// duplicate: "strate-" + line break + "gic" is one word, "strategic",
/// whose span in the copy runs over the hyphen and the line break.
#[test]
fn words_hyphenated_at_line_ends_are_joined() {
    let text = original();
    let copy = wrap_hyphenated(&text, 60);
    let broken = copy.matches("-\n").count();
    assert!(broken > 40, "{broken} words hyphenated");
    let a = Document::new("000", text.clone());
    let b = Document::new("hyphenated", copy.clone());
    let (features, pair) = pipeline::compare(&a, &b, &Config::default());
    assert!(pair.scores.jaccard > 0.95, "{:?}", pair.scores);
    assert_eq!(pair.verdict, Verdict::Duplicate, "{:?}", pair.scores);
    let joined: Vec<&str> = features[1]
        .analysed
        .tokens
        .iter()
        .map(|t| &copy[t.span.start..t.span.end])
        .filter(|w| w.contains("-\n"))
        .collect();
    assert_eq!(joined.len(), broken, "every broken word is one token");
    let norms: Vec<&str> = features[1]
        .analysed
        .tokens
        .iter()
        .filter(|t| copy[t.span.start..t.span.end].contains("-\n"))
        .map(|t| t.norm.as_str())
        .collect();
    let original_words: std::collections::HashSet<&str> = features[0]
        .analysed
        .tokens
        .iter()
        .map(|t| t.norm.as_str())
        .collect();
    for n in &norms {
        assert!(original_words.contains(n), "{n} is a word of the original");
    }
    // A hyphen before a line break is no join when the next line opens
    // with a capital (a list item, a new sentence) or the hyphen follows
    // a number.
    let words: Vec<&str> = doppel::text::word_indices("pre-\nWar and 1990-\nlater")
        .map(|(_, w)| w)
        .collect();
    assert_eq!(words, ["pre", "War", "and", "1990", "later"]);
}

#[test]
fn words_split_only_where_a_reader_sees_a_break() {
    let t = "de\u{200B}ter\u{00AD}rence and\u{200B} dip\u{200C}lomacy";
    let words: Vec<(usize, &str)> = doppel::text::word_indices(t).collect();
    let spans: Vec<&str> = words.iter().map(|w| w.1).collect();
    assert_eq!(
        spans,
        ["de\u{200B}ter\u{00AD}rence", "and", "dip\u{200C}lomacy"]
    );
    let norms: Vec<String> = doppel::text::tokenize(t)
        .into_iter()
        .map(|t| t.norm)
        .collect();
    assert_eq!(norms, ["deterrence", "and", "diplomacy"]);
    // Look-alikes and accents fold; other scripts' own letters stay.
    assert_eq!(doppel::text::normalize("раураl"), "paypal");
    assert_eq!(doppel::text::normalize("Déterrénce"), "deterrence");
    assert_eq!(doppel::text::normalize("e\u{0301}te\u{0301}"), "ete");
    assert_eq!(doppel::text::normalize("日本語"), "日本語");
    assert_eq!(doppel::text::normalize("straße"), "straße");
}

/// Over random texts of letters, digits, spaces, punctuation and invisible
/// characters: the words are those of the text with the invisible
/// characters removed (same norms, in order), and each word's span slices
/// the text on character boundaries, begins and ends with a visible
/// character and normalises to its norm.
#[test]
fn words_are_those_of_the_text_without_its_invisible_characters() {
    const PARTS: &[&str] = &[
        "a",
        "b",
        "é",
        "K",
        "7",
        "ж",
        "日",
        " ",
        " ",
        ".",
        ",",
        "'",
        "-",
        "\n",
        "\u{200B}",
        "\u{00AD}",
        "\u{200C}",
        "\u{200D}",
        "\u{FEFF}",
        "\u{202E}",
        "e\u{0301}",
    ];
    let mut rng = SplitMix64::new(77);
    for round in 0..2000 {
        let text: String = (0..rng.between(0, 40))
            .map(|_| PARTS[rng.below(PARTS.len())])
            .collect();
        let visible: String = text
            .chars()
            .filter(|&c| !doppel::text::is_invisible(c))
            .collect();
        let got = doppel::text::tokenize(&text);
        let want = doppel::text::tokenize(&visible);
        let norms =
            |t: &[doppel::text::Token]| t.iter().map(|t| t.norm.clone()).collect::<Vec<_>>();
        assert_eq!(norms(&got), norms(&want), "round {round}: {text:?}");
        let mut last = 0;
        for t in &got {
            let (s, e) = (t.span.start, t.span.end);
            assert!(s >= last && s < e && text.is_char_boundary(s) && text.is_char_boundary(e));
            let slice = &text[s..e];
            assert!(!slice.starts_with(doppel::text::is_invisible), "{text:?}");
            assert!(!slice.ends_with(doppel::text::is_invisible), "{text:?}");
            assert_eq!(doppel::text::normalize(slice), t.norm, "{text:?}");
            last = e;
        }
    }
}

/// Chinese sentences end at their own full stops: two sentences copied
/// into another article are found as one passage of exactly those two.
#[test]
fn two_chinese_sentences_copied_into_another_article_are_one_passage() {
    let source = "我们的城市今年修建了一座新的图书馆，位于河边的公园旁边。\
        图书馆有三层楼，收藏了二十万本书和许多旧报纸。\
        每天早上八点开门，晚上九点关门，周末也开放。\
        市长说这个项目花了三年时间和很多钱。\
        很多学生放学后来这里做作业和借书。\
        附近的咖啡馆因此生意变好了，老板很高兴。";
    let copied = "图书馆有三层楼，收藏了二十万本书和许多旧报纸。\
        每天早上八点开门，晚上九点关门，周末也开放。";
    let other = format!(
        "今年夏天天气特别热，很多人去海边游泳。\
         火车站前面的广场上每天晚上都有人跳舞。\
         {copied}\
         山上的老寺庙吸引了很多外国游客来参观。\
         农民们说今年的水果比去年甜，价格也便宜。"
    );
    let a = Document::new("source", source);
    let b = Document::new("other", other.clone());
    let (features, pair) = pipeline::compare(&a, &b, &Config::default());
    assert_eq!(
        features[0].analysed.sentences.len(),
        6,
        "one sentence per 。"
    );
    assert!(pair.verdict.is_flagged(), "{:?}", pair.verdict);
    assert_eq!(
        pair.alignment.passages.len(),
        1,
        "{:#?}",
        pair.alignment.passages
    );
    let p = &pair.alignment.passages[0];
    assert_eq!(&other[p.b.start..p.b.end], copied);
    assert!(
        pair.alignment.coverage_b < 0.6,
        "{}",
        pair.alignment.coverage_b
    );
}

/// Lines of random words, none ending a sentence: a list, not prose.
/// Every line stands alone, and two such files share nothing — even at
/// 12,000 lines of one to three words drawn from 5,000, where one word in
/// common between two lines happens some 300,000 times by chance.
#[test]
fn lines_of_a_list_stand_alone_and_two_random_lists_are_unrelated() {
    let mut rng = SplitMix64::new(12);
    let mut list = || {
        (0..12_000)
            .map(|_| {
                (0..rng.between(1, 3))
                    .map(|_| format!("opt{}", rng.below(5000)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (x, y) = (list(), list());
    let analysed = doppel::text::Analysed::new(&x);
    assert_eq!(analysed.sentences.len(), 12_000, "one sentence per line");
    let (_, pair) = pipeline::compare(
        &Document::new("x", x.clone()),
        &Document::new("y", y),
        &Config::default(),
    );
    assert_eq!(
        pair.verdict,
        Verdict::Unrelated,
        "{:#?}",
        pair.alignment.passages
    );
    // Prose broken at arbitrary places keeps its sentences whole.
    let prose = doppel::text::Analysed::new(
        "Students should be aware\nthat a\nportfolio\nof their work will be kept. \
         It is used\nfor every course.",
    );
    assert_eq!(prose.sentences.len(), 2);
}

/// Documents without words — emoji, punctuation, box drawing — are
/// compared by their characters: two identical ones are duplicates in the
/// full scan, the MinHash scan and `dedup`, a different one is not, and
/// each is named in a warning.
#[test]
fn documents_without_words_are_compared_by_their_characters() {
    let d = tempfile::tempdir().unwrap();
    let art = "\u{1F600}\u{1F389}\u{1F680} !!! \u{2500}\u{2500}\u{2502} ~~~ \u{2605}\u{2605}\u{2606} ??? \u{1F600}\u{1F600}\n";
    let other = "*** ### @@@ ^^^ %%% &&& ((( ))) +++ === <<< >>>\n";
    std::fs::write(d.path().join("a.txt"), art.repeat(3)).unwrap();
    // The same, with zero-width spaces sprinkled in.
    std::fs::write(
        d.path().join("b.txt"),
        art.repeat(3).replace('!', "!\u{200B}"),
    )
    .unwrap();
    std::fs::write(d.path().join("c.txt"), other.repeat(3)).unwrap();
    let dir = d.path().display().to_string();
    let doppel = || std::process::Command::new(env!("CARGO_BIN_EXE_doppel"));
    for extra in [&[][..], &["--minhash-only"][..]] {
        let out = doppel()
            .args(["scan", &dir, "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let pairs: Vec<(String, String, String)> = report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["verdict"] != "unrelated")
            .map(|p| {
                let id = |k: &str| p[k].as_str().unwrap().to_string();
                (id("a"), id("b"), id("verdict"))
            })
            .collect();
        assert_eq!(
            pairs,
            [("a.txt".into(), "b.txt".into(), "duplicate".into())],
            "{extra:?}: {stderr}"
        );
        for name in ["a.txt", "b.txt", "c.txt"] {
            assert!(
                stderr
                    .lines()
                    .any(|l| l.contains(name) && l.contains("no words")),
                "{extra:?}: {name}: {stderr}"
            );
        }
    }
    let out = doppel()
        .args(["dedup", &dir, "--emit", "ids"])
        .output()
        .unwrap();
    let ids = String::from_utf8_lossy(&out.stdout);
    assert!(
        ids.lines()
            .any(|l| l.starts_with("drop") && l.contains("b.txt")),
        "{ids}"
    );
    assert!(
        ids.lines().filter(|l| l.starts_with("keep")).count() == 2,
        "{ids}"
    );
}

/// `copied` inside `other`, `source` holding it: one passage, at the
/// copy's offsets in `other`; and a document made of the first half of
/// `source`'s sentences and unrelated ones covers about half of it.
fn copy_and_half_copy(source: &[&str], copied: &[&str], unrelated: &[&str], sep: &str) {
    let src = source.join(sep);
    let copy = copied.join(sep);
    let other = [&unrelated[..2], &[copy.as_str()], &unrelated[2..]]
        .concat()
        .join(sep);
    let (features, pair) = pipeline::compare(
        &Document::new("source", src.clone()),
        &Document::new("other", other.clone()),
        &Config::default(),
    );
    assert_eq!(
        features[0].analysed.sentences.len(),
        source.len(),
        "one sentence each"
    );
    assert!(pair.verdict.is_flagged(), "{:?}", pair.scores);
    assert_eq!(
        pair.alignment.passages.len(),
        1,
        "{:#?}",
        pair.alignment.passages
    );
    let p = &pair.alignment.passages[0];
    assert_eq!(&other[p.b.start..p.b.end], copy);
    let half = source.len() / 2;
    let first_half = [&source[..half], &unrelated[..half]].concat().join(sep);
    let (_, pair) = pipeline::compare(
        &Document::new("source", src),
        &Document::new("half", first_half),
        &Config::default(),
    );
    assert!(
        (0.35..=0.65).contains(&pair.alignment.coverage_a),
        "coverage of the source: {}",
        pair.alignment.coverage_a
    );
}

#[test]
fn japanese_and_arabic_copies_are_found_at_their_sentences() {
    let ja = [
        "私たちの町に新しい図書館ができて、川のそばの公園の隣に建てられました。",
        "建物は三階建てで、二十万冊の本と古い新聞や雑誌がたくさん集められています。",
        "毎朝八時に開いて夜九時に閉まり、週末も休まずに多くの人が利用しています。",
        "市長はこの計画に三年の時間と多くのお金がかかったと記者会見で言いました。",
        "多くの学生が放課後ここに来て宿題をしたり本を借りたりしています。",
        "近くの喫茶店は客が増えて、店の主人はとても喜んでいるそうです。",
    ];
    let ja_other = [
        "今年の夏はとても暑くて、多くの人が海へ泳ぎに行きました。",
        "駅前の広場では毎晩たくさんの人々が音楽に合わせて踊っています。",
        "山の古いお寺には外国からの観光客が毎日たくさん来ています。",
        "農家の人たちは今年の果物は去年よりずっと甘いと言っています。",
    ];
    copy_and_half_copy(&ja, &ja[1..3], &ja_other, "");
    let ar = [
        "افتتحت مدينتنا هذا العام مكتبة عامة جديدة بجانب الحديقة الكبيرة القريبة من النهر في وسط المدينة.",
        "تتكون المكتبة الجديدة من ثلاثة طوابق واسعة وتضم أكثر من مئتي ألف كتاب وعددا كبيرا من الصحف والمجلات القديمة النادرة.",
        "تفتح المكتبة أبوابها للزوار في الساعة الثامنة صباحا وتغلق في الساعة التاسعة مساء طوال أيام الأسبوع بما فيها العطلات.",
        "قال رئيس البلدية في مؤتمر صحفي إن المشروع استغرق ثلاث سنوات كاملة وكلف مبالغ كبيرة من ميزانية المدينة.",
        "يأتي كثير من الطلاب إلى المكتبة بعد انتهاء اليوم الدراسي لأداء واجباتهم واستعارة الكتب والقصص.",
        "ازدهرت تجارة المقاهي المجاورة بفضل الزوار الجدد وعبر أصحابها عن سعادتهم الكبيرة بهذا المشروع.",
    ];
    let ar_other = [
        "كان الصيف هذا العام حارا جدا فذهب كثير من الناس إلى شاطئ البحر للسباحة والاستجمام مع عائلاتهم.",
        "في الساحة الواسعة أمام محطة القطار يجتمع الناس كل مساء للرقص والاستماع إلى الموسيقى الشعبية.",
        "يزور عدد كبير من السياح الأجانب المعبد القديم على قمة الجبل ويلتقطون الصور التذكارية هناك.",
        "يقول المزارعون في القرى المجاورة إن فاكهة هذا العام أحلى وأرخص بكثير من فاكهة العام الماضي.",
    ];
    copy_and_half_copy(&ar, &ar[1..3], &ar_other, " ");
}

/// The look-alike fold maps Cyrillic letters drawn like Latin ones, not a
/// language onto another: a Russian article and its English translation
/// share no word.
#[test]
fn russian_and_english_are_not_made_equal_by_the_fold() {
    let ru = "Вчера в нашем городе открылась новая библиотека. В ней три этажа и двести \
              тысяч книг. Мэр сказал, что строительство заняло три года и стоило много денег.";
    let en = "Yesterday a new library opened in our town. It has three floors and two hundred \
              thousand books. The mayor said that building it took three years and cost a lot of money.";
    let (_, pair) = pipeline::compare(
        &Document::new("ru", ru),
        &Document::new("en", en),
        &Config::default(),
    );
    assert_eq!(pair.verdict, Verdict::Unrelated, "{:?}", pair.scores);
    assert!(pair.scores.jaccard < 0.01, "{:?}", pair.scores);
    assert!(pair.alignment.passages.is_empty());
}

/// A report says what a disguised copy holds — the invisible characters by
/// code point, the combining accents, the look-alike letters, each counted
/// exactly — in JSON and in the text report; the original, and a Russian
/// text whose letters are simply Cyrillic, hold nothing to report.
#[test]
fn a_report_says_what_hides_text_in_a_document() {
    let text = original();
    let dir = tempfile::tempdir().unwrap();
    let zw = sprinkle(&text, char::is_alphabetic, '\u{200B}', 0.5, 1);
    let accents = sprinkle(&text, |c| "aeiou".contains(c), '\u{0301}', 0.3, 4);
    let cyrillic = cyrillic_lookalikes(&text);
    let russian = "Москва — столица России, крупнейший по численности населения город страны. \
        Город расположен на реке Москве в центре Восточно-Европейской равнины.";
    for (name, body) in [
        ("000.txt", text.as_str()),
        ("zw.txt", zw.as_str()),
        ("accents.txt", accents.as_str()),
        ("cyrillic.txt", cyrillic.as_str()),
        ("russian.txt", russian),
    ] {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let out = doppel_cmd()
        .args([
            "scan",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
            "--all",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc = |id: &str| {
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
            .clone()
    };
    assert!(
        doc("000.txt").get("disguise").is_none(),
        "{}",
        doc("000.txt")
    );
    assert!(
        doc("russian.txt").get("disguise").is_none(),
        "{}",
        doc("russian.txt")
    );
    assert_eq!(
        doc("zw.txt")["disguise"]["invisible"]["U+200B"],
        zw.matches('\u{200B}').count()
    );
    assert_eq!(
        doc("accents.txt")["disguise"]["combining_marks"],
        accents.matches('\u{0301}').count()
    );
    let swapped = cyrillic
        .chars()
        .zip(text.chars())
        .filter(|(c, t)| c != t)
        .count();
    assert_eq!(
        doc("cyrillic.txt")["disguise"]["lookalike_letters"],
        swapped
    );
    // The text report names it under the pair.
    let out = doppel_cmd()
        .args(["scan", dir.path().to_str().unwrap(), "--color", "never"])
        .output()
        .unwrap();
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(
        shown.contains(&format!(
            "holds {} invisible characters (U+200B ×{})",
            zw.matches('\u{200B}').count(),
            zw.matches('\u{200B}').count()
        )),
        "{shown}"
    );
}
