//! Captures one fingerprint image from a USB sensor and writes it as an 8-bit grey PNG.
//!
//! `fp-usb-capture [--selector usb:298d:1010] --out finger.png [--wait-ms 10000]`
//! Without a selector the first supported sensor found is used.
//! `--record session.ioctl` also saves the USB traffic as umockdev `.ioctl` text, which
//! `ReplayTransport` and `umockdev-run` can replay. A recording of a real finger is biometric data:
//! keep it out of the repository unless its owner consented.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fp_usb::recording::ioctl::{self, IoctlRecording};
use fp_usb::transport::UsbRecorder;
use fp_usb::transport::rusb::UsbId;
use fp_usb::{Model, RusbTransport, UsbSensorFactory};
use hw::{Selector, SensorFactory};

/// Capture one image from a USB fingerprint sensor.
#[derive(Debug, Parser)]
struct Args {
    /// Which sensor, as `usb:<vid>:<pid>[:<serial>]`; the first supported one when absent.
    #[arg(long)]
    selector: Option<Selector>,
    /// Where to write the PNG.
    #[arg(long)]
    out: PathBuf,
    /// Also write the USB traffic to this file as umockdev `.ioctl` text.
    #[arg(long)]
    record: Option<PathBuf>,
    /// How long to wait for a finger, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    wait_ms: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fp-usb-capture: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let factory = UsbSensorFactory;
    let selector = match args.selector {
        Some(s) => s,
        None => {
            factory
                .list()
                .await?
                .into_iter()
                .next()
                .ok_or("no supported USB fingerprint sensor found")?
                .selector
        }
    };
    let (mut sensor, recording) = match &args.record {
        None => (factory.open(&selector).await?, None),
        Some(_) => {
            let Selector::Usb { vid, pid, serial } = &selector else {
                return Err("--record needs a usb: selector".into());
            };
            let model = Model::from_ids(*vid, *pid).ok_or("unsupported USB sensor")?;
            let id = UsbId {
                vid: *vid,
                pid: *pid,
                serial: serial.clone(),
            };
            let transport = RusbTransport::open(id, 0).await?;
            let node = transport.device_node();
            let (recorder, handle) = UsbRecorder::new(transport);
            (model.driver(recorder), Some((node, handle)))
        }
    };
    eprintln!("{selector}: {}; place a finger", sensor.info().model);
    sensor
        .wait_for_finger(Duration::from_millis(args.wait_ms))
        .await?;
    let image = sensor.capture_image().await?;
    let (w, h) = (image.width(), image.height());
    image::GrayImage::from_raw(w, h, image.into_pixels())
        .ok_or("image size mismatch")?
        .save_with_format(&args.out, image::ImageFormat::Png)?;
    eprintln!("wrote {w}x{h} image to {}", args.out.display());
    if let (Some(path), Some((node, handle))) = (&args.record, recording) {
        drop(sensor);
        let text = ioctl::to_text(&IoctlRecording {
            device_node: Some(node),
            recording: handle.snapshot(),
        });
        std::fs::write(path, text)?;
        eprintln!("wrote the USB traffic to {}", path.display());
    }
    Ok(())
}
