//! The client recovers from every injected fault with a retry, or fails with a clear error.

use fp_r30x::protocol::{self as p, CharBuffer, ImageGeometry, ProtocolError};
use fp_r30x::{DriverError, Fault, SimConfig};

use crate::common::{client_config, pair, simulator};

fn faults() -> Vec<Fault> {
    vec![
        Fault::BadChecksum,
        Fault::DropBytes(3),
        Fault::Silence,
        Fault::Garbage(vec![0x55, 0x00, 0xEF]),
        Fault::Replace(vec![0xEF, 0x01, 0x00]),
        Fault::Delay(std::time::Duration::from_millis(500)),
    ]
}

#[tokio::test(start_paused = true)]
async fn one_fault_is_retried_away() {
    for fault in faults() {
        let sim = simulator(SimConfig::default(), 1);
        let mut c = pair(&sim, client_config(ImageGeometry::Optical));
        sim.inject(fault.clone());
        assert_eq!(
            c.send_command(&p::TemplateNum).await.unwrap(),
            Ok(0),
            "{fault:?}"
        );
        assert_eq!(sim.pending_faults(), 0);
        // Faults in the middle of a bulk transfer restart the transfer.
        c.send_command(&p::GenImg).await.unwrap().unwrap();
        for _ in 0..100 {
            c.send_command(&p::TemplateNum).await.unwrap().unwrap();
        }
        // Packet 1 is the UpImage ack, packets 2.. are data: hit data packet 10.
        for _ in 0..10 {
            sim.inject(Fault::Garbage(vec![]));
        }
        sim.inject(fault.clone());
        let img = c.up_image().await.unwrap().unwrap();
        assert_eq!(img.pixels().len(), 256 * 288, "{fault:?}");
        // A command whose packet reaches the module corrupted is answered with 0x01 and sent again.
        c.send_command(&p::Img2Tz {
            buffer: CharBuffer::One,
        })
        .await
        .unwrap()
        .unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn persistent_faults_give_clear_errors() {
    type Check = fn(&DriverError) -> bool;
    let cases: Vec<(Fault, Check)> = vec![
        (Fault::BadChecksum, |e| {
            matches!(
                e,
                DriverError::Protocol {
                    error: ProtocolError::Frame(_),
                    ..
                }
            )
        }),
        (Fault::Silence, |e| {
            matches!(e, DriverError::Timeout { garbage: 0, .. })
        }),
        (Fault::DropBytes(4), |e| {
            matches!(
                e,
                DriverError::Timeout { .. }
                    | DriverError::Protocol {
                        error: ProtocolError::Frame(_),
                        ..
                    }
            )
        }),
        (Fault::Replace(vec![0x13; 3]), |e| {
            matches!(e, DriverError::Timeout { garbage: 3.., .. })
        }),
    ];
    for (fault, is_expected) in cases {
        let sim = simulator(SimConfig::default(), 1);
        let mut c = pair(&sim, client_config(ImageGeometry::Optical));
        for _ in 0..3 {
            sim.inject(fault.clone());
        }
        let err = c.send_command(&p::TemplateNum).await.unwrap_err();
        assert!(is_expected(&err), "{fault:?}: {err}");
        assert!(err.is_retryable());
        // The link is usable again once the fault stops.
        while sim.pending_faults() > 0 {
            let _ = c.send_command(&p::TemplateNum).await;
        }
        assert_eq!(
            c.send_command(&p::TemplateNum).await.unwrap(),
            Ok(0),
            "{fault:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn corrupt_command_is_answered_with_receive_error() {
    use fp_r30x::protocol::{Address, Packet, Request};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sim = simulator(SimConfig::default(), 1);
    let (mut host, device) = tokio::io::duplex(256);
    tokio::spawn(fp_r30x::sim::serve(device, sim));
    let mut cmd = Packet::command(Address::DEFAULT, p::TemplateNum.to_bytes()).to_bytes();
    *cmd.last_mut().unwrap() ^= 1;
    host.write_all(&cmd).await.unwrap();
    let mut ack = [0u8; 12];
    host.read_exact(&mut ack).await.unwrap();
    assert_eq!(
        ack,
        [
            0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x03, 0x01, 0x00, 0x0B
        ]
    );
}
