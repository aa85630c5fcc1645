//! examd's integration tests, one binary (see STYLE.md §5).

mod support;

mod api_roles;
mod audit_cli;
mod booking;
mod browser;
mod devices;
mod driving;
mod durability;
mod exam_day;
mod gate;
mod identity;
mod photos;
mod theory;
mod upload;
mod watchlist;
