//! Write a generated JSON Lines corpus with planted near-duplicates, for
//! measuring the streaming pipeline at scale.
//!
//! ```sh
//! cargo run --release --example corpus_jsonl -- 1000000 /tmp/corpus-1m.jsonl
//! ```
//!
//! Documents have 330–530 words (about 2.5 KB) of Zipf-distributed
//! synthetic words; 10% are copies of an earlier document with 2–40% of
//! their words substituted (the generator of `tests/common/corpus.rs`,
//! seed 42). Ids are `d0`, `d1`, … The planted clusters (original, then
//! copies, by index) go to `OUT.clusters`, one cluster per line.

#[path = "../tests/common/corpus.rs"]
mod corpus;

use std::io::Write;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(out)) = (args.first().and_then(|n| n.parse().ok()), args.get(1)) else {
        eprintln!("usage: corpus_jsonl DOCS OUT.jsonl");
        std::process::exit(2);
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    let mut stream = corpus::Stream::new(42, n, 330, 530, 0.1, &[0.02, 0.05, 0.1, 0.2, 0.4]);
    for (i, text) in stream.by_ref().enumerate() {
        writeln!(w, "{}", corpus::json_line(i, &text))?;
    }
    w.flush()?;
    let mut c = std::io::BufWriter::new(std::fs::File::create(format!("{out}.clusters"))?);
    for cluster in &stream.clusters {
        let line: Vec<String> = cluster.iter().map(|i| i.to_string()).collect();
        writeln!(c, "{}", line.join(" "))?;
    }
    c.flush()
}
