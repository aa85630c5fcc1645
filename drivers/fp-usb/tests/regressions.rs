//! Replays the committed fuzz inputs (`tests/regressions/<target>/*`: `seed-*` valid inputs that
//! start the fuzzer, `crash-*` inputs it found) through the fuzz checks.

use std::path::Path;

use crate::fuzz_checks;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        check(&std::fs::read(&path).unwrap());
        n += 1;
    }
    n
}

#[test]
fn fuzz_regressions_stay_fixed() {
    let n = replay("ioctl", fuzz_checks::ioctl_target)
        + replay("pcapng", fuzz_checks::pcapng_target)
        + replay("frames", fuzz_checks::frames_target);
    assert!(n >= 3, "expected at least one input per target, found {n}");
}

/// The seed inputs are valid, so the fuzzer starts from real structure.
#[test]
fn seeds_parse() {
    use fp_usb::recording::{ioctl, pcapng};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let text = std::fs::read_to_string(dir.join("ioctl/seed-session.ioctl")).unwrap();
    assert_eq!(ioctl::parse(&text).unwrap().recording.urbs.len(), 4);
    let bytes = std::fs::read(dir.join("pcapng/seed-session.pcapng")).unwrap();
    let dev = pcapng::DeviceAddress { bus: 1, device: 3 };
    assert_eq!(pcapng::parse(&bytes, dev).unwrap().urbs.len(), 4);
}
