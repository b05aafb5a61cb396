//! doppel's integration tests, built as one binary (one link, not one per
//! file): each file of `tests/` is a module. Run one file's tests with
//! `cargo test --test integration MODULE::`, e.g. `browser::`.

mod allpairs;
mod architecture;
mod bench_stage;
mod browser;
mod cli;
mod common;
mod completions;
mod copies;
mod encodings;
mod hostile;
mod html;
mod index;
mod licences;
mod minhash_property;
mod outputs;
mod partial;
mod rewrites;
mod scale;
mod seeds;
mod synth;
mod text_model;
