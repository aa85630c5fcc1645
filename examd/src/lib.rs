//! The examd daemon as a library: wiring, HTTP API, console and commands.
//!
//! The binary (`main.rs`) is a thin command line over this; tests drive the router directly.

pub mod accounts;
pub mod api;
pub mod app;
pub mod areas;
pub mod audit_ops;
pub mod auth;
pub mod booking;
pub mod central;
pub mod config;
pub mod console;
pub mod demo;
pub mod devices;
pub mod driving;
pub mod error;
pub mod gate;
pub mod identity;
pub mod photos;
pub mod site;
pub mod state;
pub mod theory;
pub mod watchlist;
pub mod wire;
