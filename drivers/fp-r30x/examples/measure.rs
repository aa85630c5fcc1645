//! Protocol overhead and UpImage time, client against simulator.
//!
//! `cargo run -p fp-r30x --example measure` (add `--release` for timing figures).
//! Bytes are counted by the client's codec: everything written and read for one transfer,
//! command and acknowledge included, against the payload (image or template bytes).

use std::time::{Duration, Instant};

use fp_r30x::protocol::{CharBuffer, GenImg, ImageGeometry, Img2Tz, PacketSize, SysParam};
use fp_r30x::sim::{SimPty, images};
use fp_r30x::{ClientConfig, R30x, SimConfig, SimHandle, Simulator};
use tokio_serial::SerialPortBuilderExt;

fn sim(packet_size: PacketSize) -> SimHandle {
    let g = ImageGeometry::Optical;
    SimHandle::new(Simulator::new(
        SimConfig {
            packet_size,
            ..SimConfig::default()
        },
        vec![images::generate(0, g)],
    ))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let config = ClientConfig {
        timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    };
    println!(
        "packet | UpImage wire B | payload | overhead | UpChar wire B | payload | overhead | UpImage over pty (median of 20)"
    );
    for size in PacketSize::ALL {
        let pty = SimPty::spawn(sim(size)).expect("pty");
        let port = tokio_serial::new(pty.path().to_string_lossy(), 57_600)
            .open_native_async()
            .expect("open");
        let (mut c, _) = R30x::connect(port, config.clone()).await.expect("connect");
        c.send_command(&GenImg).await.unwrap().unwrap();
        c.send_command(&Img2Tz {
            buffer: CharBuffer::One,
        })
        .await
        .unwrap()
        .unwrap();

        let before = c.byte_counts();
        c.up_image().await.unwrap().unwrap();
        let after = c.byte_counts();
        let img_wire = (after.0 - before.0) + (after.1 - before.1);
        let img_payload = ImageGeometry::Optical.packed_len() as u64;

        let before = c.byte_counts();
        let t = c.up_char(CharBuffer::One).await.unwrap().unwrap();
        let after = c.byte_counts();
        let chr_wire = (after.0 - before.0) + (after.1 - before.1);

        let mut times = Vec::new();
        for _ in 0..20 {
            let t0 = Instant::now();
            c.up_image().await.unwrap().unwrap();
            times.push(t0.elapsed());
        }
        times.sort();
        let pct = |w: u64, p: u64| 100.0 * (w - p) as f64 / p as f64;
        println!(
            "{:>6} | {:>14} | {:>7} | {:>7.2}% | {:>13} | {:>7} | {:>7.2}% | {:?}",
            size.bytes(),
            img_wire,
            img_payload,
            pct(img_wire, img_payload),
            chr_wire,
            t.len(),
            pct(chr_wire, t.len() as u64),
            times[times.len() / 2],
        );
        // Keep the packet-size setting path exercised, too.
        c.set_sys_param(SysParam::PacketSize(size))
            .await
            .unwrap()
            .unwrap();
    }
    let at_57600 = |bytes: f64| bytes * 10.0 / 57_600.0;
    println!(
        "on a real 57600 Bd 8N1 line a 128-B-packet UpImage ({} B) takes about {:.2} s",
        36_864 + 288 * 11 + 24,
        at_57600((36_864 + 288 * 11 + 24) as f64)
    );
}
