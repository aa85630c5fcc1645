//! A simulated IP camera: the ISAPI picture resource with the same authentication, serving a deterministic
//! synthetic picture of whoever stands in front of it (a seed), never a real face.

mod render;
mod server;

pub use render::{HEIGHT, Scene, WIDTH, encode_jpeg, render_scene};
pub use server::{Fault, REALM, SimCamera};
