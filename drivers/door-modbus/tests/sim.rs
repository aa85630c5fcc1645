//! The simulator on its own: the pty link, robustness against requests tokio-modbus cannot decode, paused time.

use std::time::Duration;

use door_modbus::sim::{self, DoorModule, SimHandle, SimPty};
use door_modbus::{DoorDriver, Endpoint, IoMap};
use gate::{DoorId, Input};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{bounded, expect_input, fast, sim_config};

#[tokio::test]
async fn run_simulator_on_pty_links_the_pty_and_unlinks_it_when_stopped() {
    bounded(20, async {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("door0");
        let handle = SimHandle::new(DoorModule::new(IoMap::two_door_default(), sim_config()));
        let task = {
            let (link, handle) = (link.clone(), handle.clone());
            tokio::spawn(async move { sim::run_simulator_on_pty(&link, handle).await })
        };
        while link.symlink_metadata().is_err() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let endpoint: Endpoint = format!("modbus-rtu:{}/1", link.display()).parse().unwrap();
        let mut driver = DoorDriver::new(
            endpoint.connect().await.unwrap(),
            IoMap::two_door_default(),
            fast(),
        )
        .unwrap();
        handle.force(DoorId::B);
        expect_input(
            &mut driver,
            Input::Contact {
                door: DoorId::B,
                closed: false,
            },
        )
        .await;
        task.abort();
        let _ = task.await;
        assert!(link.symlink_metadata().is_err(), "the link is removed");
    })
    .await;
}

/// Reads one RTU reply of `len` bytes.
async fn reply(port: &mut tokio_serial::SerialStream, len: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; len];
    tokio::time::timeout(Duration::from_millis(500), port.read_exact(&mut buf))
        .await
        .ok()?
        .ok()?;
    Some(buf)
}

#[tokio::test]
async fn the_simulator_keeps_serving_after_a_request_it_cannot_decode() {
    bounded(20, async {
        let handle = SimHandle::new(DoorModule::new(IoMap::two_door_default(), sim_config()));
        let pty = SimPty::spawn(handle).unwrap();
        let mut port = tokio_serial::SerialStream::open(&tokio_serial::new(
            pty.path().to_string_lossy(),
            9600,
        ))
        .unwrap();
        #[rustfmt::skip]
        let flash = [
            0x01,       // unit 1
            0x05,       // write single coil
            0x02, 0x00, // coil 0x0200 (a Waveshare "flash on" coil)
            0x00, 0x07, // value 7 (700 ms): not FF00/0000, so tokio-modbus cannot decode it
            0x8D, 0xB0, // CRC
        ];
        port.write_all(&flash).await.unwrap();
        assert_eq!(
            reply(&mut port, 5).await,
            None,
            "no answer to an undecodable frame"
        );
        #[rustfmt::skip]
        let read_inputs = [
            0x01,       // unit 1
            0x02,       // read discrete inputs
            0x00, 0x00, // from 0
            0x00, 0x08, // 8 inputs
            0x79, 0xCC, // CRC (hardware.md §4)
        ];
        port.write_all(&read_inputs).await.unwrap();
        let got = reply(&mut port, 6)
            .await
            .expect("the simulator answers again");
        // Unit 1, FC02, 1 byte: at rest every NC input reads 1 except unwired input 6: 0b1011_1111.
        assert_eq!(&got[..4], &[0x01, 0x02, 0x01, 0xBF]);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn the_handle_runs_the_model_on_tokios_clock() {
    let handle = SimHandle::new(DoorModule::new(IoMap::two_door_default(), sim_config()));
    handle.force(DoorId::A);
    handle.with(|m, now| m.write_register(now, 0, 0).unwrap_err());
    tokio::time::advance(Duration::from_millis(299)).await;
    assert!(handle.is_open(DoorId::A));
    tokio::time::advance(Duration::from_millis(1)).await;
    assert!(
        !handle.is_open(DoorId::A),
        "the closer shut it after 300 ms of tokio time"
    );
}
