//! The link to the module as a small state machine. Pure.

use gate::Input;

/// What the driver knows about the module's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// No exchange has succeeded yet.
    Starting,
    /// The module answers.
    Up,
    /// The module stopped answering: every input is unknown.
    Lost,
}

/// Counts consecutive failed exchanges and says when the link is lost or back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Link {
    state: LinkState,
    failures: u8,
    lost_after: u8,
}

impl Link {
    /// `lost_after` failed exchanges in a row lose the link (0 is taken as 1).
    pub(crate) fn new(lost_after: u8) -> Link {
        Link {
            state: LinkState::Starting,
            failures: 0,
            lost_after: lost_after.max(1),
        }
    }

    pub(crate) fn state(&self) -> LinkState {
        self.state
    }

    /// Records one exchange; returns the input for the interlock when the link changed.
    pub(crate) fn record(&mut self, ok: bool) -> Option<Input> {
        if ok {
            self.failures = 0;
            let was = self.state;
            self.state = LinkState::Up;
            return (was == LinkState::Lost).then_some(Input::CommsRestored);
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures >= self.lost_after && self.state != LinkState::Lost {
            self.state = LinkState::Lost;
            return Some(Input::CommsLost);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_after_n_failures_in_a_row_and_restored_on_the_next_answer() {
        let mut l = Link::new(2);
        assert_eq!(l.record(true), None);
        assert_eq!(l.state(), LinkState::Up);
        assert_eq!(l.record(false), None);
        assert_eq!(l.record(true), None, "one failure is forgiven");
        assert_eq!(l.record(false), None);
        assert_eq!(l.record(false), Some(Input::CommsLost));
        assert_eq!(l.record(false), None, "reported once");
        assert_eq!(l.state(), LinkState::Lost);
        assert_eq!(l.record(true), Some(Input::CommsRestored));
        assert_eq!(l.record(true), None);
    }

    #[test]
    fn a_module_silent_from_the_start_is_lost_too() {
        let mut l = Link::new(1);
        assert_eq!(l.state(), LinkState::Starting);
        assert_eq!(l.record(false), Some(Input::CommsLost));
        assert_eq!(l.record(true), Some(Input::CommsRestored));
    }
}
