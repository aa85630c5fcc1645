//! The simulator writes sentences on a pty; the driver reads them back through the serial port API.

use gnss_nmea::sim::{GnssSimPty, SimConfig, Trajectory, Waypoint};
use gnss_nmea::{FixQuality, LocalFrame, NmeaEndpoint};

use crate::bounded;

fn wp(t_ms: u64, x: f64, y: f64, heading_deg: f64, quality: FixQuality) -> Waypoint {
    Waypoint {
        t_ms,
        x,
        y,
        up: 1.5,
        heading_deg,
        speed_kmh: None,
        quality,
    }
}

#[tokio::test]
async fn sim_to_driver_over_a_pty_within_a_centimetre() {
    bounded(20, async {
        // 1.2 s across a site 1.5 km from its origin, turning through north, dropping to RTK float at the end.
        let traj = Trajectory::Waypoints {
            points: vec![
                wp(0, 1_200.0, -900.0, 350.0, FixQuality::RtkFixed),
                wp(600, 1_203.1, -896.4, 5.0, FixQuality::RtkFixed),
                wp(1_000, 1_205.0, -893.0, 20.0, FixQuality::RtkFloat),
                wp(1_200, 1_205.0, -893.0, 20.0, FixQuality::RtkFloat),
            ],
        };
        let frame = LocalFrame::from_lon_lat(116.4, 39.9).unwrap();
        let cfg = SimConfig::new(frame);
        let start = cfg.start_unix_ms;
        let pty = GnssSimPty::spawn(traj.clone(), cfg).unwrap();
        let endpoint: NmeaEndpoint = format!("nmea:{}", pty.path().display()).parse().unwrap();
        let mut reader = endpoint.open().unwrap();

        let mut seen = Vec::new();
        let mut worst = 0.0f64;
        while seen.last().is_none_or(|t| *t < 1_100) {
            let fix = reader.next_fix().await.expect("fix");
            let t = (fix.unix_ms.unwrap() - start) as u64;
            let want = traj.at(t);
            let pose = frame.pose(&fix).expect("position");
            let err = (pose.x - want.x).hypot(pose.y - want.y);
            assert!(err < 0.01, "t={t}: {err} m off: {pose:?} vs {want:?}");
            worst = worst.max(err);
            assert!((pose.up - want.up).abs() < 0.01, "{pose:?}");
            let dh =
                (pose.heading_deg.unwrap() - want.heading_deg + 540.0).rem_euclid(360.0) - 180.0;
            assert!(dh.abs() < 0.001, "t={t}: heading {dh}° off");
            assert!((pose.speed_kmh.unwrap() - want.speed_kmh).abs() < 0.01);
            assert_eq!(pose.quality, want.quality, "t={t}");
            assert_eq!(t % 100, 0, "epochs on the 10 Hz grid");
            seen.push(t);
        }
        assert!(
            seen.windows(2).all(|w| w[1] == w[0] + 100),
            "no epoch lost: {seen:?}"
        );
        assert_eq!(reader.dropped_sentences(), 0);
        println!(
            "sim -> pty -> driver: {} epochs, worst horizontal error {worst:.2e} m",
            seen.len()
        );
    })
    .await;
}

#[tokio::test]
async fn a_silent_receiver_is_reported_and_reading_can_go_on() {
    bounded(10, async {
        let (_master, slave) = tokio_serial::SerialStream::pair().unwrap();
        let mut reader = gnss_nmea::NmeaReader::new(slave)
            .with_silence_timeout(std::time::Duration::from_millis(200));
        let e = reader.next_fix().await.unwrap_err();
        assert!(matches!(e, gnss_nmea::ReadError::Silent(_)), "{e:?}");
        assert!(e.is_recoverable());
        assert_eq!(e.to_string(), "the receiver sent nothing for 200 ms");
    })
    .await;
}
