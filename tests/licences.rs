//! Real texts of one genre: the licence texts Debian ships in
//! /usr/share/common-licenses (base-files, on every Debian system). Later
//! versions of a licence derive from earlier ones and must be flagged;
//! independent licences share a legal vocabulary and a few stock phrases,
//! and must not be.

use crate::common::bin;

use bin::run;
use serde_json::Value;
use std::path::Path;

const DIR: &str = "/usr/share/common-licenses";

fn compare(a: &str, b: &str) -> Value {
    let (pa, pb) = (Path::new(DIR).join(a), Path::new(DIR).join(b));
    for p in [&pa, &pb] {
        assert!(
            p.is_file(),
            "{} is missing: these tests read Debian's licence texts (package base-files)",
            p.display()
        );
    }
    let r = run(&[
        "compare",
        &pa.display().to_string(),
        &pb.display().to_string(),
        "--format",
        "json",
    ]);
    assert!(r.code <= 1, "{a} vs {b}: exit {}, {}", r.code, r.stderr);
    r.json()["pairs"][0].clone()
}

#[test]
fn later_versions_of_a_licence_are_flagged_with_passages() {
    for (a, b) in [
        ("GPL-2", "GPL-3"),
        ("LGPL-2", "LGPL-2.1"),
        ("GFDL-1.2", "GFDL-1.3"),
        ("MPL-1.1", "MPL-2.0"),
    ] {
        let p = compare(a, b);
        assert_ne!(p["verdict"], "unrelated", "{a} vs {b}: {p}");
        assert!(
            !p["passages"].as_array().unwrap().is_empty(),
            "{a} vs {b} has passages"
        );
    }
}

#[test]
fn independent_licences_are_not_flagged() {
    for (a, b) in [
        ("Apache-2.0", "GPL-3"),
        ("BSD", "GPL-3"),
        ("Artistic", "GPL-3"),
        ("BSD", "Apache-2.0"),
        ("Artistic", "Apache-2.0"),
        ("CC0-1.0", "GPL-3"),
        ("Apache-2.0", "CC0-1.0"),
        // A short licence after a long one: its two or three sentences
        // echo the long one's conditions and disclaimer, in places far
        // apart, and are no summary of it.
        ("GPL-2", "BSD"),
        ("GPL-3", "BSD"),
        ("LGPL-2.1", "BSD"),
        ("MPL-2.0", "BSD"),
        ("CC0-1.0", "BSD"),
        ("CC0-1.0", "Artistic"),
    ] {
        let p = compare(a, b);
        assert_eq!(p["verdict"], "unrelated", "{a} vs {b}: {p}");
    }
}
