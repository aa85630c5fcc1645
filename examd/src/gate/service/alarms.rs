//! The alarm path: alarms the interlock or the entry policy raise, their acknowledgement, the fire reset.

use gate::{Alarm, DoorId, Input, Notice, Output};
use model::EventKind;
use serde_json::{Value, json};
use store::Draft;
use tokio::sync::oneshot;

use super::{AlarmView, Service, events};

impl Service {
    pub(super) fn raise(&mut self, a: Alarm) {
        let (kind, door, detail) = events::alarm(&a);
        let condition = matches!(
            a,
            Alarm::HeldOpen { .. }
                | Alarm::ForcedOpen { .. }
                | Alarm::FireOverride
                | Alarm::CommsLost
        );
        let v = AlarmView {
            id: self.next_alarm,
            kind: kind.into(),
            door: door.map(events::door),
            detail,
            raised_ms: self.wall().0,
            active: condition,
            acked_by: None,
            alarm: Some(a),
        };
        self.next_alarm += 1;
        self.alarms.push(v);
    }

    /// Records an alarm the policy raised (not the interlock) and returns its event.
    pub(super) fn raise_other(
        &mut self,
        kind: &str,
        door: Option<DoorId>,
        detail: Value,
        _active: bool,
    ) -> Draft {
        let v = AlarmView {
            id: self.next_alarm,
            kind: kind.into(),
            door: door.map(events::door),
            detail: detail.clone(),
            raised_ms: self.wall().0,
            active: false,
            acked_by: None,
            alarm: None,
        };
        self.next_alarm += 1;
        self.alarms.push(v);
        events::draft(
            EventKind::GateAlarm,
            vec![],
            json!({ "alarm": kind, "door": door.map(events::door), "detail": detail }),
        )
    }

    /// Marks an alarm acknowledged; answers once its event is durable (`false` when there is no such alarm
    /// waiting for acknowledgement).
    pub(super) fn acknowledge(&mut self, id: u64, by: String, reply: oneshot::Sender<bool>) {
        let found = self
            .alarms
            .iter_mut()
            .find(|a| a.id == id && a.acked_by.is_none());
        let ok = found.is_some();
        if let Some(a) = found {
            a.acked_by = Some(by.clone());
            let d = events::draft(
                EventKind::GateAlarmAcknowledged,
                vec![events::user(&by)],
                json!({ "alarm": a.kind, "door": a.door, "raised_ms": a.raised_ms, "detail": a.detail }),
            );
            let (tx, rx) = oneshot::channel();
            self.send(vec![d], Some(tx));
            tokio::spawn(async move {
                let _ = rx.await;
                let _ = reply.send(true);
            });
            return;
        }
        let _ = reply.send(ok);
    }

    /// An examiner resets the fire override (rule 5); answers once the decision is durable.
    pub(super) async fn fire_reset(
        &mut self,
        by: String,
        reply: oneshot::Sender<Result<(), &'static str>>,
    ) {
        let out = self.handle(Input::ExaminerReset);
        let refused = out.iter().find_map(|o| match o {
            Output::Notice(Notice::ResetRefused { reason }) => Some(match reason {
                gate::ResetRefusal::NoOverride => "no_override",
                gate::ResetRefusal::FireInputActive => "fire_input_active",
            }),
            _ => None,
        });
        let mut drafts = vec![events::draft(
            EventKind::GateDecision,
            vec![events::user(&by)],
            json!({ "decision": if refused.is_none() { "fire_reset" } else { "fire_reset_refused" }, "reason": refused, "by": by }),
        )];
        self.apply(out, &mut drafts, None).await;
        let (tx, rx) = oneshot::channel();
        self.send(drafts, Some(tx));
        tokio::spawn(async move {
            let _ = rx.await;
            let _ = reply.send(refused.map_or(Ok(()), Err));
        });
    }
}
