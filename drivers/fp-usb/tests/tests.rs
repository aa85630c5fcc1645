//! Integration tests: recorded captures replayed in Rust and under umockdev, and synthetic sessions.

mod recordings;
mod support;
mod synthetic;
mod umockdev;
