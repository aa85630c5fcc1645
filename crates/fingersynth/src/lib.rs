//! Synthetic fingerprints in the spirit of SFinGe: master prints and impressions, deterministic from a seed.
//!
//! A [`Master`] is the whole ridge pattern of one finger (class, singular points, orientation and
//! ridge-period models, grown by iterated Gabor filtering); [`Master::impression`] renders one
//! capture of it at 500 ppi. The same parameters and seed always give the same bytes.
//!
//! ```
//! use fingersynth::{ImpressionParams, Master, MasterParams};
//!
//! // Small sizes keep the example fast; the defaults are a 320×432 master and 288×384 impressions.
//! let master = Master::generate(&MasterParams { width: 128, height: 160, iterations: 6, ..Default::default() }, 42);
//! let params = ImpressionParams { width: 96, height: 128, ..Default::default() };
//! let a = master.impression(&params, 1);
//! assert_eq!(a.dimensions(), (96, 128));
//! assert_eq!(a, master.impression(&params, 1));
//! assert_ne!(a, master.impression(&params, 2));
//! ```
//!
//! [`generate_set`] makes a whole FVC-style set; the `fingersynth` binary writes one to a folder.
#![warn(missing_docs)]

pub mod class;
pub mod field;
pub mod frequency;
pub mod gabor;
pub mod impression;
pub mod master;
pub mod minutiae;
pub mod morph;
pub mod orientation;
pub mod rng;
pub mod set;
pub mod shape;

pub use class::{FingerClass, SingularKind, SingularPoint};
pub use impression::ImpressionParams;
pub use master::{ClassChoice, Master, MasterParams};
pub use minutiae::{MinutiaFinger, MinutiaImpressionParams, synthetic_template};
pub use set::{finger_seed, generate_set, generate_set_with, impression_seed};
