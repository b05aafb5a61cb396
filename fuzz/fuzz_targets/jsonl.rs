//! Fuzz target: see `doppel_fuzz::jsonl` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| doppel_fuzz::jsonl(data));
