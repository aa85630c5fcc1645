//! `examd sensor capture|enroll|list` and `examd sim r30x|door|gnss|vehicle` (DESIGN §3.7).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use hw::{FingerImage, FingerprintSensor, SensorError};

use super::open::{error_chain, open};
use super::spec::{RawSensor, SensorSpec};
use crate::config::{self, SiteArgs};

/// `examd sensor …`.
#[derive(Debug, Subcommand)]
pub enum SensorCommand {
    /// List the configured sensors (`[[sensor]]` in the configuration file).
    List {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Capture one image from a sensor and write it as PNG at the sensor's true resolution.
    Capture {
        /// A configured sensor id, or a selector (`r30x:/dev/ttyUSB0[@baud]`, `usb:298d:1010`).
        #[arg(long)]
        device: String,
        /// Output PNG file.
        #[arg(long)]
        out: PathBuf,
        /// Seconds to wait for a finger.
        #[arg(long, default_value_t = 15)]
        wait_secs: u64,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Capture several impressions of one finger, check they agree, and enrol the chosen one: into the
    /// identity registry of a running daemon (`--server`), or offline into an ISO file (`--out`).
    Enroll {
        /// A configured sensor id, or (offline only) a selector.
        #[arg(long)]
        device: String,
        /// The person enrolled: `candidate:<id>` or `examiner:<name>` with `--server`; offline, recorded in
        /// the summary.
        #[arg(long)]
        person: String,
        /// Display name of the person (with `--server`; kept if omitted).
        #[arg(long, requires = "server")]
        name: Option<String>,
        /// Impressions to capture (2 to 10).
        #[arg(long, default_value_t = 3)]
        impressions: u32,
        /// Offline: output file for the ISO/IEC 19794-2:2005 record of the chosen impression.
        #[arg(long, required_unless_present = "server", conflicts_with = "server")]
        out: Option<PathBuf>,
        /// The running daemon (`http://host:port`): it captures from its sensor `--device` and enrols into
        /// its identity registry.
        #[arg(long)]
        server: Option<String>,
        /// With `--server`: the desk's device bearer token (or set EXAMD_TOKEN).
        #[arg(
            long,
            env = "EXAMD_TOKEN",
            hide_env_values = true,
            conflicts_with = "user"
        )]
        token: Option<String>,
        /// With `--server`: log in as this admin or examiner account; the password is read from
        /// EXAMD_PASSWORD.
        #[arg(long, requires = "server")]
        user: Option<String>,
        /// Seconds to wait for each placement.
        #[arg(long, default_value_t = 15)]
        wait_secs: u64,
        /// Seconds to wait for the finger to be lifted between impressions.
        #[arg(long, default_value_t = 5)]
        lift_secs: u64,
        #[command(flatten)]
        site: SiteArgs,
    },
}

/// The sensor named on the command line: a configured id, else a selector opened with default settings.
fn find_sensor(site: &SiteArgs, device: &str) -> anyhow::Result<SensorSpec> {
    let rt = config::load(site, Path::new("examd-data"))?;
    if let Some(s) = rt.sensors.iter().find(|s| s.id.as_str() == device) {
        return Ok(s.clone());
    }
    let sel: hw::Selector = device.parse().map_err(|e| {
        anyhow::anyhow!(
            "--device {device:?} is neither a configured sensor ({}) nor a selector: {e}",
            rt.sensors
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let raw = match &sel {
        hw::Selector::R30x { path, baud } => RawSensor {
            kind: Some("r30x".into()),
            port: Some(path.display().to_string()),
            baud: *baud,
            ..Default::default()
        },
        hw::Selector::Usb { vid, pid, .. } => RawSensor {
            kind: Some(
                match fp_usb::Model::from_ids(*vid, *pid) {
                    Some(fp_usb::Model::Nb1010) => "nb1010",
                    Some(fp_usb::Model::UpekTc) => "upektc",
                    None => bail!("--device {device}: no driver for USB id {vid:04x}:{pid:04x}"),
                }
                .into(),
            ),
            usb: Some(device.trim_start_matches("usb:").to_owned()),
            ..Default::default()
        },
    };
    RawSensor {
        id: Some("cli".into()),
        role: Some("desk".into()),
        ..raw
    }
    .resolve()
    .map_err(|e| anyhow::anyhow!("--device {device}: {e}"))
}

async fn open_sensor(spec: &SensorSpec) -> anyhow::Result<Box<dyn FingerprintSensor>> {
    let s = open(spec).await.map_err(|e| {
        anyhow::anyhow!(
            "opening {} ({}): {}",
            spec.id,
            spec.selector,
            error_chain(&e)
        )
    })?;
    let i = s.info();
    eprintln!(
        "已连接 / opened {} — {} {}×{} @ {} ppi",
        spec.selector, i.model, i.image_width, i.image_height, i.ppi
    );
    Ok(s)
}

async fn capture_one(s: &mut dyn FingerprintSensor, wait: Duration) -> anyhow::Result<FingerImage> {
    eprintln!("请按压手指 / place a finger on the sensor …");
    s.wait_for_finger(wait)
        .await
        .map_err(|e| anyhow::anyhow!("waiting for a finger: {}", error_chain(&e)))?;
    s.capture_image()
        .await
        .map_err(|e| anyhow::anyhow!("capturing: {}", error_chain(&e)))
}

/// Writes `image` as an 8-bit grey PNG.
pub fn write_png(image: &FingerImage, out: &Path) -> anyhow::Result<()> {
    let gray = scoring::GrayImage::from_raw(image.width(), image.height(), image.pixels().to_vec())
        .context("image buffer size")?;
    gray.save(out)
        .with_context(|| format!("writing {}", out.display()))
}

/// What the extractor says about one impression, for people.
fn describe(image: &FingerImage, ppi: u32, t: &Result<scoring::Template, String>) -> String {
    let size = format!("{}×{} px @ {ppi} ppi", image.width(), image.height());
    match t {
        Ok(t) => format!(
            "{size}, quality {} / 100, {} minutiae",
            t.quality,
            t.minutiae.len()
        ),
        Err(e) => format!("{size}, unusable: {e}"),
    }
}

/// Runs `examd sensor …`.
pub async fn sensor(cmd: SensorCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SensorCommand::List { site } => {
            let rt = config::load(&site, Path::new("examd-data"))?;
            if rt.sensors.is_empty() {
                eprintln!("未配置指纹仪 / no [[sensor]] in the configuration");
            }
            for s in &rt.sensors {
                println!("{}\t{}\t{}\t{}", s.id, s.kind.name(), s.role, s.selector);
            }
        }
        SensorCommand::Capture {
            device,
            out,
            wait_secs,
            site,
        } => {
            let spec = find_sensor(&site, &device)?;
            let mut s = open_sensor(&spec).await?;
            let ppi = s.info().ppi;
            let image = capture_one(s.as_mut(), Duration::from_secs(wait_secs)).await?;
            write_png(&image, &out)?;
            let img = image.clone();
            let t = tokio::task::spawn_blocking(move || super::extract(&img, ppi)).await?;
            println!("{}: {}", out.display(), describe(&image, ppi, &t));
        }
        SensorCommand::Enroll {
            device,
            person,
            name,
            impressions,
            out,
            server,
            token,
            user,
            wait_secs,
            lift_secs,
            site,
        } => {
            if !(2..=10).contains(&impressions) {
                bail!("--impressions must be 2 to 10, got {impressions}");
            }
            let Some(out) = out else {
                let server = server.expect("clap requires --server without --out");
                let login = match (token, user) {
                    (Some(t), None) => Login::Token(t),
                    (None, Some(u)) => Login::User(
                        u,
                        std::env::var("EXAMD_PASSWORD").map_err(|_| {
                            anyhow::anyhow!("--user needs the password in EXAMD_PASSWORD")
                        })?,
                    ),
                    _ => bail!("--server needs --token (or EXAMD_TOKEN) or --user"),
                };
                let req = super::enroll::EnrollRequestV1 {
                    person,
                    name,
                    impressions,
                    wait_ms: wait_secs.saturating_mul(1000),
                    lift_ms: lift_secs.saturating_mul(1000),
                };
                let r = enroll_remote(&server, &login, &device, &req).await?;
                println!(
                    "{}: impression {} of {} enrolled at {} ({} minutiae, quality {}); lowest agreement {:.3} ≥ {:.3}; {} template(s) sealed in the registry, sha256 {}; event seq {}",
                    r.person,
                    r.chosen,
                    r.impressions,
                    r.device,
                    r.minutiae,
                    r.quality,
                    r.lowest,
                    r.threshold,
                    r.templates,
                    r.sha256.join(","),
                    r.seq
                );
                return Ok(ExitCode::SUCCESS);
            };
            let spec = find_sensor(&site, &device)?;
            let mut s = open_sensor(&spec).await?;
            let ppi = s.info().ppi;
            let mut templates = Vec::new();
            for k in 1..=impressions {
                let image = capture_one(s.as_mut(), Duration::from_secs(wait_secs)).await?;
                let img = image.clone();
                let t = tokio::task::spawn_blocking(move || super::extract(&img, ppi)).await?;
                eprintln!("第{k}次 / impression {k}: {}", describe(&image, ppi, &t));
                let t = t.map_err(|e| {
                    anyhow::anyhow!(
                        "impression {k} is unusable ({e}): enrol again with a clean, centred finger"
                    )
                })?;
                templates.push(t);
                if k < impressions {
                    wait_lift(s.as_mut(), Duration::from_secs(lift_secs)).await?;
                }
            }
            let chosen = consistent(&templates).map_err(|e| anyhow::anyhow!("{e}"))?;
            let record = templates[chosen.index].to_iso2005();
            std::fs::write(&out, &record).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{person}: impression {} of {impressions} enrolled ({} minutiae, quality {}); lowest agreement {:.3} ≥ {:.3}; ISO/IEC 19794-2 record ({} bytes) in {}",
                chosen.index + 1,
                templates[chosen.index].minutiae.len(),
                templates[chosen.index].quality,
                chosen.lowest,
                scoring::THRESHOLD_FMR_10000.0,
                record.len(),
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How `examd sensor enroll --server` authenticates.
enum Login {
    /// A device bearer token.
    Token(String),
    /// An account name and password (a session cookie).
    User(String, String),
}

/// Asks the daemon at `server` to enrol from its sensor `device` (`POST /api/v1/devices/{device}/enroll`);
/// a refusal is returned with the daemon's message.
async fn enroll_remote(
    server: &str,
    login: &Login,
    device: &str,
    req: &super::enroll::EnrollRequestV1,
) -> anyhow::Result<super::enroll::EnrolledV1> {
    let base = server.trim_end_matches('/');
    let http = reqwest::Client::new();
    let auth = |b: reqwest::RequestBuilder, cookie: &Option<String>| match (login, cookie) {
        (Login::Token(t), _) => b.bearer_auth(t),
        (_, Some(c)) => b.header(reqwest::header::COOKIE, c),
        (_, None) => b,
    };
    let cookie = match login {
        Login::Token(_) => None,
        Login::User(name, password) => {
            let r = http
                .post(format!("{base}/api/v1/login"))
                .json(&serde_json::json!({ "name": name, "password": password }))
                .send()
                .await
                .with_context(|| format!("--server {server}: logging in"))?;
            if !r.status().is_success() {
                bail!(
                    "--server {server}: login as {name} refused ({}): {}",
                    r.status(),
                    api_message(r).await
                );
            }
            let c = r
                .headers()
                .get(reqwest::header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .map(str::to_owned)
                .ok_or_else(|| anyhow::anyhow!("--server {server}: login gave no session"))?;
            Some(c)
        }
    };
    eprintln!(
        "请在 {device} 上按压同一手指 {} 次 / place the same finger on {device} {} times, lifting it in between …",
        req.impressions, req.impressions
    );
    let r = auth(
        http.post(format!("{base}/api/v1/devices/{device}/enroll")),
        &cookie,
    )
    .json(req)
    .send()
    .await
    .with_context(|| format!("--server {server}: enrolling"))?;
    let status = r.status();
    if !status.is_success() {
        bail!("enrolment refused ({status}): {}", api_message(r).await);
    }
    r.json()
        .await
        .with_context(|| format!("--server {server}: reading the enrolment summary"))
}

/// The English message of an API error body, else the body itself.
async fn api_message(r: reqwest::Response) -> String {
    let text = r.text().await.unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["message_en"].as_str().map(str::to_owned))
        .unwrap_or(text)
}

/// Polls until the finger is lifted; a sensor that never reports a lift (a simulator holding one finger)
/// gets a notice and the enrolment goes on.
async fn wait_lift(s: &mut dyn FingerprintSensor, within: Duration) -> anyhow::Result<()> {
    eprintln!("请抬起手指 / lift the finger …");
    let until = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < until {
        match s.wait_for_finger(Duration::ZERO).await {
            Err(SensorError::NoFinger(_)) => return Ok(()),
            Ok(()) => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => bail!("waiting for the finger to lift: {}", error_chain(&e)),
        }
    }
    eprintln!("手指未抬起 / the finger was not lifted; taking the next impression anyway");
    Ok(())
}

/// The impression chosen for enrolment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chosen {
    /// Its index.
    pub index: usize,
    /// The lowest score between any two impressions.
    pub lowest: f32,
}

/// Checks that every two impressions match at the gate's threshold (FMR 1 in 10,000), and chooses the one
/// that agrees best with the others. The error names the pair that disagrees.
pub fn consistent(templates: &[scoring::Template]) -> Result<Chosen, String> {
    if templates.len() < 2 {
        return Err("at least two impressions are needed".into());
    }
    let prepared: Vec<_> = templates.iter().map(scoring::Prepared::new).collect();
    let n = prepared.len();
    let mut sums = vec![0f32; n];
    let mut lowest = f32::INFINITY;
    for i in 0..n {
        for j in i + 1..n {
            let s = scoring::compare_prepared(&prepared[i], &prepared[j]).0;
            if s < scoring::THRESHOLD_FMR_10000.0 {
                return Err(format!(
                    "impressions {} and {} do not match (score {s:.3} < {:.3}): were they the same finger? enrol again",
                    i + 1,
                    j + 1,
                    scoring::THRESHOLD_FMR_10000.0
                ));
            }
            sums[i] += s;
            sums[j] += s;
            lowest = lowest.min(s);
        }
    }
    let index = (0..n)
        .max_by(|&a, &b| sums[a].total_cmp(&sums[b]).then(b.cmp(&a)))
        .expect("n ≥ 2");
    Ok(Chosen { index, lowest })
}

/// Which simulator `examd sim` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimDevice {
    /// A Synochip R30x fingerprint module (UART protocol).
    R30x,
    /// The gate's door I/O module (Modbus RTU; Modbus TCP with `--link tcp:…`).
    Door,
    /// An RTK GNSS receiver writing NMEA 0183.
    Gnss,
    /// The car's signal collector (Modbus RTU; Modbus TCP with `--link tcp:…`).
    Vehicle,
}

/// `examd sim …`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// The device to simulate.
    #[arg(value_enum)]
    pub device: SimDevice,
    /// Where to serve: a path to link the pty slave at, or `tcp:<host:port>`.
    #[arg(long)]
    pub link: String,
    /// r30x: a folder of PNG finger images (sorted by name; finger 0 is on the sensor).
    #[arg(long)]
    pub images: Option<PathBuf>,
    /// r30x: without `--images`, this many synthetic prints (`fingersynth`, cooperative preset).
    #[arg(long, default_value_t = 1)]
    pub fingers: u32,
    /// r30x: seed of the synthetic prints.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// r30x: `optical` (256×288) or `r503` (192×192).
    #[arg(long, default_value = "optical")]
    pub model: String,
    /// r30x: data packet size, 32, 64, 128 or 256 bytes.
    #[arg(long, default_value_t = 128)]
    pub packet_size: u32,
    /// r30x: module address, 8 hex digits.
    #[arg(long, default_value = "FFFFFFFF")]
    pub address: String,
    /// r30x: module password, 8 hex digits (commands are refused until VfyPwd when it is not 00000000).
    #[arg(long, default_value = "00000000")]
    pub password: String,
    /// gnss: a trajectory file (JSON or TOML, `kind = "circle"` or `"waypoints"`); default a 20 m circle at 20 km/h.
    #[arg(long)]
    pub trajectory: Option<PathBuf>,
    /// gnss: the site frame's origin, `lat,lon,height`.
    #[arg(long, default_value = "36.1953,117.0880,150.0")]
    pub origin: String,
    /// vehicle: a script of signal changes (JSON array of `{t_ms, set, silent}`).
    #[arg(long)]
    pub script: Option<PathBuf>,
}

/// Synthetic prints of `fingers` fingers for a sensor of `geometry`, rendered at its size and 500 ppi
/// (`fingersynth`, cooperative preset, impression `impression`).
pub fn synthetic_prints(
    fingers: u32,
    seed: u64,
    impression: u32,
    geometry: fp_r30x::protocol::ImageGeometry,
) -> Vec<FingerImage> {
    let params = fingersynth::ImpressionParams {
        width: geometry.width(),
        height: geometry.height(),
        ..fingersynth::ImpressionParams::cooperative()
    };
    (1..=fingers)
        .map(|f| {
            let master = fingersynth::Master::generate(
                &fingersynth::MasterParams::default(),
                fingersynth::finger_seed(seed, f),
            );
            let img = master.impression(&params, fingersynth::impression_seed(seed, f, impression));
            FingerImage::new(img.width(), img.height(), img.into_raw())
                .expect("fingersynth renders width × height")
        })
        .collect()
}

fn hex_arg(name: &str, v: &str) -> anyhow::Result<u32> {
    u32::from_str_radix(v.trim_start_matches("0x"), 16)
        .ok()
        .filter(|_| v.trim_start_matches("0x").len() == 8)
        .ok_or_else(|| anyhow::anyhow!("--{name} must be 8 hex digits, got {v:?}"))
}

fn r30x_handle(a: &SimArgs) -> anyhow::Result<fp_r30x::SimHandle> {
    use fp_r30x::protocol::{Address, ImageGeometry, PacketSize, Password};
    let geometry = match a.model.as_str() {
        "optical" => ImageGeometry::Optical,
        "r503" => ImageGeometry::Capacitive,
        other => bail!("--model must be optical or r503, got {other:?}"),
    };
    let packet_size = PacketSize::ALL
        .into_iter()
        .find(|p| p.bytes() as u32 == a.packet_size)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--packet-size must be 32, 64, 128 or 256, got {}",
                a.packet_size
            )
        })?;
    let password = hex_arg("password", &a.password)?;
    let cfg = fp_r30x::SimConfig {
        geometry,
        address: Address(hex_arg("address", &a.address)?),
        password: Password(password),
        require_password: password != 0,
        packet_size,
        ..Default::default()
    };
    let fingers = match &a.images {
        Some(dir) => fp_r30x::sim::FingerSource::Folder(dir.clone())
            .load(geometry)
            .map_err(|e| anyhow::anyhow!("--images {}: {}", dir.display(), error_chain(&e)))?,
        None => {
            if !(1..=100).contains(&a.fingers) {
                bail!("--fingers must be 1 to 100, got {}", a.fingers);
            }
            synthetic_prints(a.fingers, a.seed, 1, geometry)
        }
    };
    Ok(fp_r30x::SimHandle::new(fp_r30x::Simulator::new(
        cfg, fingers,
    )))
}

fn gnss_setup(
    a: &SimArgs,
) -> anyhow::Result<(gnss_nmea::sim::Trajectory, gnss_nmea::sim::SimConfig)> {
    let parts: Vec<f64> = a
        .origin
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow::anyhow!("--origin must be lat,lon,height, got {:?}", a.origin))?;
    let [lat_deg, lon_deg, height_m] = parts[..] else {
        bail!("--origin must be lat,lon,height, got {:?}", a.origin);
    };
    let frame = gnss_nmea::LocalFrame::new(gnss_nmea::Geodetic {
        lat_deg,
        lon_deg,
        height_m,
    })
    .map_err(|e| anyhow::anyhow!("--origin {}: {e}", a.origin))?;
    let trajectory = match &a.trajectory {
        None => gnss_nmea::sim::Trajectory::Circle {
            centre_x: 0.0,
            centre_y: 0.0,
            radius_m: 20.0,
            speed_kmh: 20.0,
        },
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("reading --trajectory {}", f.display()))?;
            let t: gnss_nmea::sim::Trajectory = if f.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text).with_context(|| format!("--trajectory {}", f.display()))?
            } else {
                serde_json::from_str(&text)
                    .with_context(|| format!("--trajectory {}", f.display()))?
            };
            t.validate()
                .map_err(|e| anyhow::anyhow!("--trajectory {}: {e}", f.display()))?;
            t
        }
    };
    Ok((trajectory, gnss_nmea::sim::SimConfig::new(frame)))
}

fn vehicle_handle(
    a: &SimArgs,
) -> anyhow::Result<(vehicle_io::sim::SimHandle, vehicle_io::sim::Script)> {
    let script = match &a.script {
        None => vehicle_io::sim::Script::default(),
        Some(f) => {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("reading --script {}", f.display()))?;
            serde_json::from_str(&text).with_context(|| format!("--script {}", f.display()))?
        }
    };
    let handle = vehicle_io::sim::SimHandle::new(
        vehicle_io::SignalMap::standard(),
        vehicle_io::Signals::default(),
    );
    Ok((handle, script))
}

fn door_handle() -> door_modbus::sim::SimHandle {
    door_modbus::sim::SimHandle::new(door_modbus::sim::DoorModule::new(
        door_modbus::IoMap::two_door_default(),
        door_modbus::sim::SimConfig::default(),
    ))
}

/// Links the pty slave at `link`, prints both, and serves until Ctrl-C / SIGTERM.
async fn serve_pty(what: &str, slave: &Path, link: &Path) -> anyhow::Result<()> {
    let _link = hw::pty::PtyLink::create(slave, link)
        .with_context(|| format!("linking {} at {}", slave.display(), link.display()))?;
    println!(
        "{what} 模拟器 / simulator: pty {} linked at {}",
        slave.display(),
        link.display()
    );
    crate::app::shutdown_signal().await;
    Ok(())
}

/// Runs `examd sim …` until stopped.
pub async fn sim(a: SimArgs) -> anyhow::Result<()> {
    if let Some(addr) = a.link.strip_prefix("tcp:") {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("--link tcp:{addr}"))?;
        let local = listener.local_addr()?;
        let serving = async {
            match a.device {
                SimDevice::R30x => {
                    let handle = r30x_handle(&a)?;
                    loop {
                        let (stream, peer) = listener.accept().await?;
                        tracing::info!(%peer, "r30x simulator: client connected");
                        let h = handle.clone();
                        tokio::spawn(async move {
                            let _ = fp_r30x::sim::serve(stream, h).await;
                        });
                    }
                }
                SimDevice::Door => Ok(door_modbus::sim::serve_tcp(listener, door_handle()).await?),
                SimDevice::Vehicle => {
                    let (handle, script) = vehicle_handle(&a)?;
                    tokio::spawn(vehicle_io::sim::run_script(handle.clone(), script));
                    Ok(vehicle_io::sim::serve_tcp(listener, handle).await?)
                }
                SimDevice::Gnss => {
                    let (trajectory, cfg) = gnss_setup(&a)?;
                    loop {
                        let (stream, _) = listener.accept().await?;
                        let (t, c) = (trajectory.clone(), cfg.clone());
                        tokio::spawn(async move {
                            let _ = gnss_nmea::sim::serve(stream, &t, &c).await;
                        });
                    }
                }
            }
        };
        println!(
            "{:?} 模拟器 / simulator: listening on tcp:{local}",
            a.device
        );
        tokio::select! {
            r = serving => r,
            _ = crate::app::shutdown_signal() => Ok(()),
        }
    } else {
        let link = PathBuf::from(&a.link);
        match a.device {
            SimDevice::R30x => {
                let pty = fp_r30x::sim::SimPty::spawn(r30x_handle(&a)?)?;
                serve_pty("r30x", pty.path(), &link).await
            }
            SimDevice::Door => {
                let pty = door_modbus::sim::SimPty::spawn(door_handle())?;
                serve_pty("door", pty.path(), &link).await
            }
            SimDevice::Vehicle => {
                let (handle, script) = vehicle_handle(&a)?;
                let pty = vehicle_io::sim::SimPty::spawn(handle.clone())?;
                tokio::spawn(vehicle_io::sim::run_script(handle, script));
                serve_pty("vehicle", pty.path(), &link).await
            }
            SimDevice::Gnss => {
                let (trajectory, cfg) = gnss_setup(&a)?;
                let pty = gnss_nmea::sim::GnssSimPty::spawn(trajectory, cfg)?;
                serve_pty("gnss", pty.path(), &link).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imp(finger: u64, n: u64) -> scoring::Template {
        crate::gate::synth::impression(finger, n)
    }

    #[test]
    fn enrolment_takes_the_best_agreeing_impression() {
        let c = consistent(&[imp(7, 0), imp(7, 1), imp(7, 2)]).unwrap();
        assert!(c.index < 3);
        assert!(c.lowest >= scoring::THRESHOLD_FMR_10000.0);
    }

    #[test]
    fn enrolment_names_the_impressions_that_disagree() {
        let e = consistent(&[imp(7, 0), imp(7, 1), imp(8, 0)]).unwrap_err();
        assert!(e.starts_with("impressions 1 and 3 do not match"), "{e}");
        assert!(consistent(&[imp(7, 0)]).is_err());
    }

    #[test]
    fn synthetic_prints_fit_the_module_and_extract() {
        let g = fp_r30x::protocol::ImageGeometry::Optical;
        let prints = synthetic_prints(1, 3, 1, g);
        assert_eq!((prints[0].width(), prints[0].height()), (256, 288));
        let t = crate::devices::extract(&prints[0], g.ppi()).unwrap();
        assert!(
            t.minutiae.len() >= scoring::MIN_MINUTIAE,
            "{}",
            t.minutiae.len()
        );
    }
}
