//! USB frame decode and image assembly throughput.
//!
//! `cargo bench -p fp-usb --bench decode`. Synthetic frames always; the libfprint recordings too
//! when `../shared/data/usb-recordings` is present (read in place). Each group keeps a naive
//! baseline beside the real code.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fp_usb::protocol::image::ImageFlags;
use fp_usb::protocol::{nb1010, upektc};
use fp_usb::recording::{device, ioctl, pcapng};

/// 90 NB-1010 frames with a recognisable pattern.
fn nb1010_frames() -> Vec<Vec<u8>> {
    (0..nb1010::FRAMES)
        .map(|i| {
            let mut f = vec![0u8; nb1010::FRAME_LEN];
            f[..8].copy_from_slice(&[0x80, 0x21, 0x00, 0x00, 0x1c, 0x02, 0x00, 0x00]);
            f[16..20].copy_from_slice(&((2 * i + 1) as u32).to_le_bytes());
            f[20..24].copy_from_slice(&256u32.to_le_bytes());
            f[24] = 1;
            for (j, p) in f[25..537].iter_mut().enumerate() {
                *p = (i * 7 + j) as u8;
            }
            f
        })
        .collect()
}

/// Naive assembly: validate by hand and copy pixel by pixel.
fn nb1010_naive(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        assert!(f.len() == 540 && f[0] == 0x80 && f[1] == 0x21);
        for j in 0..512 {
            out.push(f[25 + j]);
        }
    }
    out
}

fn nb1010_fast(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut a = nb1010::Assembler::new();
    for f in frames {
        a.push(f).unwrap();
    }
    a.finish().unwrap()
}

/// The UPEK answers of one capture: a first frame (0x2c), middle frames (0x24) and a last one (0x20).
fn upektc_answers() -> Vec<Vec<u8>> {
    let mut left = upektc::WIDTH * upektc::HEIGHT;
    let mut out = Vec::new();
    let mut first = true;
    while left > 0 {
        let room = if first { 2032 } else { 2042 };
        let n = left.min(room);
        let last = n == left && !first;
        let mut payload = vec![if first {
            0x2c
        } else if last {
            0x20
        } else {
            0x24
        }];
        if first {
            payload.extend_from_slice(&[0; 10]);
        }
        payload.extend((0..n).map(|i| (i * 13) as u8));
        if last {
            payload.extend_from_slice(&[0; 4]);
        }
        out.push(upektc::encode_message(0, upektc::Seq::ZERO, &payload));
        left -= n;
        first = false;
    }
    out
}

/// Decode (CRC check included) and assembly of one capture's answers.
fn upektc_decode(answers: &[Vec<u8>]) -> Vec<u8> {
    let mut a = upektc::Assembler::new();
    for m in answers {
        let msg = upektc::decode_message(m).unwrap();
        if let upektc::CaptureEvent::Frame { pixels, .. } = upektc::capture_event(&msg).unwrap() {
            a.push(pixels).unwrap();
        }
    }
    a.finish().unwrap()
}

/// Bit-by-bit CRC-16/XMODEM, the textbook form.
fn crc_bitwise(bytes: &[u8]) -> u16 {
    let mut c: u16 = 0;
    for &b in bytes {
        c ^= u16::from(b) << 8;
        for _ in 0..8 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
        }
    }
    c
}

fn flags_naive(flags: ImageFlags, width: usize, src: &[u8]) -> Vec<u8> {
    let height = src.len() / width;
    let mut out = vec![0; src.len()];
    for y in 0..height {
        for x in 0..width {
            let sx = if flags.h_flipped { width - 1 - x } else { x };
            let sy = if flags.v_flipped { height - 1 - y } else { y };
            let v = src[sy * width + sx];
            out[y * width + x] = if flags.colors_inverted { 255 - v } else { v };
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let frames = nb1010_frames();
    assert_eq!(nb1010_fast(&frames), nb1010_naive(&frames));
    let mut g = c.benchmark_group("nb1010_assemble");
    g.throughput(Throughput::Bytes((frames.len() * nb1010::FRAME_LEN) as u64));
    g.bench_function("naive", |b| b.iter(|| nb1010_naive(black_box(&frames))));
    g.bench_function("assembler", |b| b.iter(|| nb1010_fast(black_box(&frames))));
    g.finish();

    let answers = upektc_answers();
    let bytes: usize = answers.iter().map(Vec::len).sum();
    assert_eq!(
        upektc_decode(&answers).len(),
        upektc::WIDTH * upektc::HEIGHT
    );
    let mut g = c.benchmark_group("upektc_decode");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("decode_assemble", |b| {
        b.iter(|| upektc_decode(black_box(&answers)))
    });
    g.finish();

    let all_bytes: Vec<u8> = answers.concat();
    assert_eq!(crc_bitwise(&all_bytes), upektc::crc16(&all_bytes));
    let mut g = c.benchmark_group("upektc_crc");
    g.throughput(Throughput::Bytes(all_bytes.len() as u64));
    g.bench_function("bitwise", |b| b.iter(|| crc_bitwise(black_box(&all_bytes))));
    g.bench_function("crc_crate", |b| {
        b.iter(|| upektc::crc16(black_box(&all_bytes)))
    });
    g.finish();

    let all = ImageFlags {
        h_flipped: true,
        v_flipped: true,
        colors_inverted: true,
    };
    let img = nb1010_fast(&frames);
    let mut fast = img.clone();
    all.apply(nb1010::WIDTH, &mut fast);
    assert_eq!(fast, flags_naive(all, nb1010::WIDTH, &img));
    let mut g = c.benchmark_group("image_flags");
    g.throughput(Throughput::Bytes(img.len() as u64));
    g.bench_function(BenchmarkId::new("naive", "hv_inv"), |b| {
        b.iter(|| flags_naive(all, nb1010::WIDTH, black_box(&img)))
    });
    g.bench_function(BenchmarkId::new("apply", "hv_inv"), |b| {
        b.iter_batched_ref(
            || img.clone(),
            |p| all.apply(nb1010::WIDTH, p),
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();

    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/usb-recordings"
    ));
    if !dir.is_dir() {
        eprintln!("SKIP recording parsers: {} is absent", dir.display());
        return;
    }
    let text = std::fs::read_to_string(dir.join("nb1010/capture.ioctl")).unwrap();
    assert_eq!(ioctl::parse(&text).unwrap().recording.urbs.len(), 96);
    let pcap = std::fs::read(dir.join("upektc_img/capture.pcapng")).unwrap();
    let dev =
        device::parse(&std::fs::read_to_string(dir.join("upektc_img/device")).unwrap()).unwrap();
    assert!(pcapng::parse(&pcap, dev.address).unwrap().urbs.len() > 100);
    let mut g = c.benchmark_group("recording_parse");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("ioctl_nb1010", |b| {
        b.iter(|| ioctl::parse(black_box(&text)).unwrap())
    });
    g.throughput(Throughput::Bytes(pcap.len() as u64));
    g.bench_function("pcapng_upektc", |b| {
        b.iter(|| pcapng::parse(black_box(&pcap), dev.address).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
