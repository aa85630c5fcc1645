//! Captures one fingerprint image from a USB sensor and writes it as an 8-bit grey PNG.
//!
//! `fp-usb-capture [--selector usb:298d:1010] --out finger.png [--wait-ms 10000]`
//! Without a selector the first supported sensor found is used.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fp_usb::UsbSensorFactory;
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
    let mut sensor = factory.open(&selector).await?;
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
    Ok(())
}
