//! `examd sim` and `examd sensor capture|enroll` as processes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::start_sim;
use crate::support::examd_bin;

fn examd(args: &[&str], extra: &[&Path]) -> (bool, String, String) {
    let out = Command::new(examd_bin())
        .args(args)
        .args(extra)
        .env("EXAMD_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sim_r30x_serves_sensor_capture_and_enroll() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("r30x");
    let link_s = link.to_string_lossy().into_owned();
    let (_sim, line) = start_sim(&["r30x", "--link", &link_s, "--seed", "11"]);
    assert!(
        line.contains("/dev/pts/") && line.contains(&link_s),
        "{line}"
    );
    assert!(link.exists());

    let png = dir.path().join("f.png");
    let device = format!("r30x:{link_s}");
    let (ok, out, err) = examd(
        &["sensor", "capture", "--device", &device, "--out"],
        &[&png],
    );
    assert!(ok, "{err}");
    assert!(out.contains("256×288 px @ 500 ppi, quality"), "{out}");
    let img =
        scoring::decode_image(&std::fs::read(&png).unwrap(), scoring::Limits::default()).unwrap();
    assert_eq!(img.dimensions(), (256, 288));

    let iso = dir.path().join("d1.iso");
    let (ok, out, err) = examd(
        &[
            "sensor",
            "enroll",
            "--device",
            &device,
            "--person",
            "D1",
            "--impressions",
            "2",
            "--lift-secs",
            "1",
            "--out",
        ],
        &[&iso],
    );
    assert!(ok, "{err}");
    assert!(out.starts_with("D1: impression"), "{out}");
    let t = scoring::Template::from_standard_bytes(&std::fs::read(&iso).unwrap()).unwrap();
    assert!(t.minutiae.len() >= scoring::MIN_MINUTIAE);

    // A configured id that does not exist and is no selector is named.
    let (ok, _, err) = examd(&["sensor", "capture", "--device", "nope", "--out"], &[&png]);
    assert!(!ok);
    assert!(
        err.contains("--device \"nope\" is neither a configured sensor"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_door_and_gnss_answer_on_their_links() {
    let dir = tempfile::tempdir().unwrap();
    let door = dir.path().join("door");
    let (_door, line) = start_sim(&["door", "--link", &door.to_string_lossy()]);
    assert!(line.contains("door"), "{line}");
    let endpoint: door_modbus::Endpoint =
        format!("modbus-rtu:{}/1", door.display()).parse().unwrap();
    let mut ctx = endpoint.connect().await.unwrap();
    use tokio_modbus::client::Reader;
    let inputs = tokio::time::timeout(Duration::from_secs(5), ctx.read_discrete_inputs(0, 8))
        .await
        .expect("the door module answers")
        .unwrap()
        .unwrap();
    assert_eq!(inputs.len(), 8);

    let gnss = dir.path().join("gnss");
    let (_gnss, _) = start_sim(&["gnss", "--link", &gnss.to_string_lossy()]);
    let port =
        tokio_serial::SerialStream::open(&tokio_serial::new(gnss.to_string_lossy(), 115_200))
            .unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(port));
    let first = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let l = lines.next_line().await.unwrap().unwrap();
            if l.starts_with("$GNGGA") {
                return l;
            }
        }
    })
    .await
    .expect("NMEA sentences arrive");
    assert!(first.contains(",4,"), "RTK fixed: {first}");
}
