//! One test per recorded session under `fixtures/hw/fp-r30x/<scenario>/`: the client runs the
//! scenario against `session.trace` through `hw::ReplayTransport`, every write must match, and
//! the decoded result must equal `expected.json` (and `expected.png` for captures).
//!
//! `EXAMD_RECORD_FIXTURES=1 cargo test -p fp-r30x --test replay` records the sessions again from
//! the simulator (synthetic data only).

use std::path::{Path, PathBuf};
use std::time::Duration;

use fp_r30x::protocol::{CharBuffer, ImageGeometry, PacketSize, SysParam};
use fp_r30x::sim::images;
use fp_r30x::{ClientConfig, Fault, R30x, SimConfig, SimHandle, Simulator};
use hw::trace::Trace;
use hw::{FingerprintSensor, RecordingTransport, ReplayTransport, TemplateSlot};
use libtest_mimic::{Arguments, Failed, Trial};
use tokio::io::{AsyncRead, AsyncWrite};

type Outcome = (serde_json::Value, Option<hw::FingerImage>);

fn config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_millis(200),
        ..ClientConfig::default()
    }
}

/// The scenarios, by directory name. Each runs the client and returns what it decoded.
async fn scenario<T: AsyncRead + AsyncWrite + Unpin + Send>(
    name: &str,
    io: T,
) -> Result<Outcome, String> {
    let e = |e: hw::SensorError| e.to_string();
    let (mut c, params) = R30x::connect(io, config()).await.map_err(e)?;
    match name {
        "enroll-search" => {
            let m = c.on_device().ok_or("no on-device matcher")?;
            m.enroll(TemplateSlot(5), Duration::from_secs(1))
                .await
                .map_err(e)?;
            let hit = m
                .search(Duration::from_secs(1))
                .await
                .map_err(e)?
                .ok_or("not found")?;
            let count = m.template_count().await.map_err(e)?;
            let v = serde_json::json!({"capacity": params.capacity, "slot": hit.slot.0, "score": hit.score.0, "count": count});
            Ok((v, None))
        }
        "upimage-64" => {
            c.set_sys_param(SysParam::PacketSize(PacketSize::B64))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|c| c.to_string())?;
            let img = c.capture_image().await.map_err(e)?;
            let (out, inp) = c.byte_counts();
            Ok((
                serde_json::json!({"width": img.width(), "height": img.height(), "bytes_out": out, "bytes_in": inp}),
                Some(img),
            ))
        }
        "retry-bad-checksum" => {
            let n = hw::OnDeviceMatcher::template_count(&mut c)
                .await
                .map_err(e)?;
            let t = c
                .up_char(CharBuffer::One)
                .await
                .map_err(|e| e.to_string())?;
            Ok((
                serde_json::json!({"count": n, "upchar_empty": t.err().map(|c| c.to_byte())}),
                None,
            ))
        }
        other => Err(format!("unknown scenario {other}")),
    }
}

fn simulator(name: &str) -> SimHandle {
    let g = ImageGeometry::Optical;
    let sim = SimHandle::new(Simulator::new(
        SimConfig::default(),
        vec![images::generate(0, g), images::generate(1, g)],
    ));
    if name == "retry-bad-checksum" {
        // Packets 1 and 2 answer VfyPwd and ReadSysPara; the TemplateNum answer is corrupted.
        sim.inject(Fault::Garbage(vec![]));
        sim.inject(Fault::Garbage(vec![]));
        sim.inject(Fault::BadChecksum);
    }
    sim
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime")
}

fn record(dir: &Path) -> Result<(), Failed> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let (trace, outcome) = runtime().block_on(async {
        let (host, device) = tokio::io::duplex(4096);
        tokio::spawn(fp_r30x::sim::serve(device, simulator(&name)));
        let rec = RecordingTransport::new(host);
        let handle = rec.trace();
        let outcome = scenario(&name, rec).await;
        (handle.snapshot(), outcome)
    });
    let (value, image) = outcome?;
    let mut trace = trace;
    trace.comments = vec![format!(
        "fp-r30x scenario {name}; synthetic, recorded from the fp-r30x simulator"
    )];
    trace
        .write(&dir.join("session.trace"))
        .map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_string_pretty(&value).unwrap() + "\n",
    )
    .map_err(|e| e.to_string())?;
    if let Some(img) = image {
        let png = image::GrayImage::from_raw(img.width(), img.height(), img.into_pixels())
            .ok_or("image size")?;
        png.save(dir.join("expected.png"))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn replay(dir: &Path) -> Result<(), Failed> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let trace = Trace::read(&dir.join("session.trace")).map_err(|e| e.to_string())?;
    let device = std::fs::read_to_string(dir.join("device.toml"))
        .map_err(|e| format!("device.toml: {e}"))?;
    if !device.contains("provenance = \"synthetic\"") {
        return Err("device.toml must state provenance = \"synthetic\"".into());
    }
    let transport = ReplayTransport::from_trace(trace);
    let handle = transport.handle();
    let (value, image) = runtime().block_on(scenario(&name, transport))?;
    handle.done().map_err(|e| e.to_string())?;
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    if value != want {
        return Err(format!("decoded {value}, expected {want}").into());
    }
    if let Some(img) = image {
        let png = image::open(dir.join("expected.png"))
            .map_err(|e| e.to_string())?
            .to_luma8();
        if png.as_raw() != img.pixels() || png.width() != img.width() {
            return Err("image differs from expected.png".into());
        }
    }
    Ok(())
}

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/hw/fp-r30x");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn main() {
    let args = Arguments::from_args();
    let recording = std::env::var("EXAMD_RECORD_FIXTURES").is_ok_and(|v| v == "1");
    let trials = fixture_dirs()
        .into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            Trial::test(name, move || {
                if recording {
                    record(&dir)
                } else {
                    replay(&dir)
                }
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
