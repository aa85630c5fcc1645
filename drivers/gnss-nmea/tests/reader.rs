//! The reader over recorded bytes: framing, bad lines, end of stream.

use gnss_nmea::sim::{SimConfig, SimPose, epoch};
use gnss_nmea::{FixQuality, LocalFrame, NmeaReader, ReadError, SentenceError};

use crate::bounded;

fn burst(t_ms: u64) -> String {
    let cfg = SimConfig::new(LocalFrame::from_lon_lat(116.4, 39.9).unwrap());
    let fix = cfg.fix_for(&SimPose {
        t_ms,
        x: 10.0,
        y: 20.0,
        up: 0.0,
        heading_deg: 45.0,
        speed_kmh: 5.0,
        quality: FixQuality::RtkFixed,
    });
    epoch("GN", &fix, -8.5)
}

#[tokio::test]
async fn bad_lines_are_named_skipped_and_reading_goes_on() {
    bounded(5, async {
        let mut text = String::from("ff,N,1*33\r\n"); // joined mid-line
        text += &burst(0);
        // A corrupted GGA in the second epoch: its RMC starts the epoch instead.
        let second = burst(100).replacen("GNGGA,080000.10", "GNGGA,080000.11", 1);
        text += &second;
        text += &"X".repeat(400);
        text += "\r\n";
        text += &burst(200);
        let mut reader = NmeaReader::new(text.as_bytes());
        let mut fixes = vec![];
        let mut errors = vec![];
        loop {
            match reader.next_fix().await {
                Ok(f) => {
                    // The epoch whose GGA was lost still has RMC's position and its RTK mode letter.
                    assert_eq!(f.quality, FixQuality::RtkFixed, "{f:?}");
                    assert!(f.position.is_some());
                    fixes.push(f.time_of_day_ms);
                }
                Err(ReadError::Eof) => break,
                Err(e) => {
                    assert!(e.is_recoverable(), "{e}");
                    errors.push(e.to_string());
                }
            }
        }
        assert_eq!(fixes, [28_800_000, 28_800_100, 28_800_200]);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("not an NMEA sentence"), "{errors:?}");
        assert!(errors[1].starts_with("GNGGA: bad checksum"), "{errors:?}");
        assert!(errors[2].contains("too long"), "{errors:?}");
    })
    .await;
}

#[tokio::test]
async fn a_line_cut_by_the_end_of_the_stream_is_still_checked() {
    bounded(5, async {
        let text = burst(0);
        let cut = &text[..text.len() - 6];
        let mut reader = NmeaReader::new(cut.as_bytes());
        let err = reader.next_fix().await.unwrap_err();
        assert!(
            matches!(err, ReadError::Sentence(SentenceError::Framing { .. })),
            "{err:?}"
        );
        let fix = reader.next_fix().await.unwrap();
        assert_eq!(fix.heading_deg, None, "the cut HDT is not used");
        assert!(matches!(reader.next_fix().await, Err(ReadError::Eof)));
    })
    .await;
}
