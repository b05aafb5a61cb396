//! Fuzz target: see `doppel_fuzz::index` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| doppel_fuzz::index(data));
