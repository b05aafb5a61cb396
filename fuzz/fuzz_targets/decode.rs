//! Fuzz target: see `doppel_fuzz::decode` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| doppel_fuzz::decode(data));
