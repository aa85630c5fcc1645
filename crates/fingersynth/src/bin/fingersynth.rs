//! `fingersynth`: writes a synthetic set as `<finger>_<impression>.png` (FVC naming) into a folder.

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use fingersynth::{ImpressionParams, Master, MasterParams, finger_seed, impression_seed};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::path::PathBuf;

/// Generates `fingers × impressions` synthetic fingerprints at 500 ppi.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Output folder (created if missing).
    out: PathBuf,
    /// Number of fingers.
    #[arg(long, default_value_t = 10)]
    fingers: u32,
    /// Impressions per finger.
    #[arg(long, default_value_t = 8)]
    impressions: u32,
    /// Set seed: the same seed always writes the same images.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of the first finger in file names (FVC sets start at 101).
    #[arg(long, default_value_t = 101)]
    first_finger: u32,
    /// Output width, pixels.
    #[arg(long, default_value_t = 288)]
    width: u32,
    /// Output height, pixels.
    #[arg(long, default_value_t = 384)]
    height: u32,
    /// Capture conditions: `fvc` (hard, FVC-like) or `cooperative` (gate-like, easy).
    #[arg(long, value_enum, default_value_t = Preset::Fvc)]
    preset: Preset,
    /// Plastic distortion strength (0 = none, 1 = the fvc preset); overrides the preset.
    #[arg(long)]
    distortion: Option<f64>,
    /// Sensor noise, gray levels; overrides the preset.
    #[arg(long)]
    noise: Option<f64>,
    /// Also write each master as `master_<finger>.png`.
    #[arg(long)]
    masters: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Preset {
    Fvc,
    Cooperative,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    std::fs::create_dir_all(&cli.out).with_context(|| format!("creating {}", cli.out.display()))?;
    let master_params = MasterParams::default();
    let preset = match cli.preset {
        Preset::Fvc => ImpressionParams::fvc(),
        Preset::Cooperative => ImpressionParams::cooperative(),
    };
    let impression_params = ImpressionParams {
        width: cli.width,
        height: cli.height,
        distortion: cli.distortion.unwrap_or(preset.distortion),
        noise: cli.noise.unwrap_or(preset.noise),
        ..preset
    };
    let bar = ProgressBar::new(u64::from(cli.fingers) * u64::from(cli.impressions));
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} images {elapsed}",
    )?);
    (1..=cli.fingers)
        .into_par_iter()
        .try_for_each(|f| -> Result<()> {
            let master = Master::generate(&master_params, finger_seed(cli.seed, f));
            let name = cli.first_finger + f - 1;
            if cli.masters {
                let path = cli.out.join(format!("master_{name}.png"));
                master
                    .to_image()
                    .save(&path)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            for i in 1..=cli.impressions {
                let image = master.impression(&impression_params, impression_seed(cli.seed, f, i));
                let path = cli.out.join(format!("{name}_{i}.png"));
                image
                    .save(&path)
                    .with_context(|| format!("writing {}", path.display()))?;
                bar.inc(1);
            }
            Ok(())
        })?;
    bar.finish();
    Ok(())
}
