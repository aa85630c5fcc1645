//! The client against the simulator over a real pseudo-terminal pair.

use std::time::Duration;

use fp_r30x::protocol::{self as p, CharBuffer, ImageGeometry};
use fp_r30x::sim::{SimPty, run_simulator_on_pty};
use fp_r30x::{Fault, R30x, SimConfig};
use hw::{FingerprintSensor, TemplateSlot};
use tokio_serial::SerialPortBuilderExt;

use crate::common::{client_config, simulator};

/// Every pty test is bounded so that a wedged port fails instead of hanging CI.
const LIMIT: Duration = Duration::from_secs(20);

fn open(path: &std::path::Path) -> tokio_serial::SerialStream {
    tokio_serial::new(path.to_string_lossy(), 57_600)
        .open_native_async()
        .expect("open pty slave")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_works_over_a_pty_and_recovers_from_faults() {
    tokio::time::timeout(LIMIT, async {
        let sim = simulator(SimConfig::default(), 2);
        let pty = SimPty::spawn(sim.clone()).unwrap();
        let (mut c, params) =
            R30x::connect(open(pty.path()), client_config(ImageGeometry::Optical))
                .await
                .unwrap();
        assert_eq!(params.capacity, 300);
        let m = c.on_device().unwrap();
        m.enroll(TemplateSlot(1), Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(
            m.search(Duration::from_secs(2))
                .await
                .unwrap()
                .unwrap()
                .slot,
            TemplateSlot(1)
        );
        let img = c.capture_image().await.unwrap();
        assert_eq!(img.pixels().len(), 256 * 288);
        for fault in [
            Fault::BadChecksum,
            Fault::DropBytes(5),
            Fault::Silence,
            Fault::Garbage(vec![0x55]),
        ] {
            sim.inject(fault.clone());
            assert_eq!(
                c.send_command(&p::TemplateNum).await.unwrap(),
                Ok(1),
                "{fault:?}"
            );
        }
        let t = c.up_char(CharBuffer::One).await.unwrap().unwrap();
        c.down_char(CharBuffer::Two, &t).await.unwrap().unwrap();
        c.send_command(&p::Match).await.unwrap().unwrap();
        // Baud change: the module acknowledges at the old rate, then both sides switch.
        let fast = p::BaudRate::from_bps(115_200).unwrap();
        c.set_baud_and_follow(fast).await.unwrap().unwrap();
        assert_eq!(c.read_sys_params().await.unwrap().baud, fast);
    })
    .await
    .expect("pty test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_simulator_on_pty_links_and_unlinks() {
    tokio::time::timeout(LIMIT, async {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("fp");
        let sim = simulator(SimConfig::default(), 1);
        let task = tokio::spawn({
            let link = link.clone();
            async move { run_simulator_on_pty(&link, sim).await }
        });
        while link.symlink_metadata().is_err() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (mut c, _) = R30x::connect(open(&link), client_config(ImageGeometry::Optical))
            .await
            .unwrap();
        assert_eq!(c.send_command(&p::TemplateNum).await.unwrap(), Ok(0));
        task.abort();
        let _ = task.await;
        assert!(
            link.symlink_metadata().is_err(),
            "link removed when the simulator stops"
        );
    })
    .await
    .expect("pty test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn factory_opens_a_selector() {
    use hw::{Selector, SensorFactory};
    tokio::time::timeout(LIMIT, async {
        let dir = tempfile::tempdir().unwrap();
        let img =
            image::GrayImage::from_fn(64, 72, |x, y| image::Luma([((x * 7) ^ (y * 3)) as u8]));
        img.save(dir.path().join("f1.png")).unwrap();
        let source = fp_r30x::sim::FingerSource::Folder(dir.path().into());
        let sim = fp_r30x::Simulator::from_source(SimConfig::default(), &source).unwrap();
        let pty = SimPty::spawn(fp_r30x::SimHandle::new(sim)).unwrap();
        let factory = fp_r30x::R30xFactory {
            config: client_config(ImageGeometry::Optical),
        };
        let selector: Selector = format!("r30x:{}@57600", pty.path().display())
            .parse()
            .unwrap();
        let mut sensor = factory.open(&selector).await.unwrap();
        assert_eq!(sensor.info().library_capacity, Some(300));
        sensor
            .wait_for_finger(Duration::from_secs(1))
            .await
            .unwrap();
        let got = sensor.capture_image().await.unwrap();
        assert_eq!((got.width(), got.height()), (256, 288));
        let usb: Selector = "usb:298d:1010".parse().unwrap();
        assert!(matches!(
            factory.open(&usb).await.err(),
            Some(hw::SensorError::NotFound(_))
        ));
    })
    .await
    .expect("pty test timed out");
}
