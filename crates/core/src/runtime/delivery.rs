//! The send path: delivering a message to an agent living here (through
//! its [`Reorder`], so each sender's messages reach the mailbox once and in
//! order), or sending it on after the agent; numbering the messages agents
//! send ([`Sequencer`]); and skipping gaps that time out.

use std::cmp::Reverse;
use std::time::Instant;

use super::{lock, AgentId, Message, Parked, Receiver, SendError, Shared, Slot, Slots, Wait};
use crate::ordering::{OrderingState, Released, Reorder, Sequencer};

/// What `deliver_here` did with a message.
enum Delivery {
    /// The agent lives here: delivered, or refused (mailbox full).
    Done(Result<(), SendError>),
    /// Not here: to be sent on (after its forwarding pointer, if any).
    Elsewhere(Message, Option<String>),
}

impl Shared {
    /// Delivers to an agent living here; one that moved away is followed
    /// (its forwarding pointer, or its home's location record); one whose
    /// home is elsewhere goes to its home node.
    pub(crate) fn send(&self, to: &AgentId, msg: Message) -> Result<(), SendError> {
        let mut slots = lock(&self.slots);
        match self.deliver_here(&mut slots, to, msg) {
            Delivery::Done(r) => r,
            Delivery::Elsewhere(msg, moved_to) => {
                drop(slots);
                self.send_on(to, msg, moved_to)
            }
        }
    }

    /// A message from the agent `from` (`agent_send`, `acl send`) to an
    /// agent given by id or by local name: the name is resolved, the
    /// message numbered for its receiver and delivered under one lock. A
    /// message that could not even leave gives its number back.
    pub(crate) fn send_from_agent(&self, from: &AgentId, to: &str, mut msg: Message) -> Result<(), SendError> {
        let mut slots = lock(&self.slots);
        let id = match AgentId::parse(to) {
            Some(id) => id,
            None => {
                let Some(id) = slots.named(to) else { return Err(SendError::NoSuchAgent(to.to_owned())) };
                id.clone()
            }
        };
        let sender = slots.get_mut(from);
        self.check_message_size(sender.as_deref().map(|s| &**s), &msg, "the sender's")?;
        msg.from = Some(from.clone());
        msg.seq = sender.filter(|s| s.is_here()).map(|s| s.sequencer.stamp(&id));
        let seq = msg.seq;
        let result = match self.deliver_here(&mut slots, &id, msg) {
            Delivery::Done(r) => r,
            Delivery::Elsewhere(msg, moved_to) => {
                drop(slots);
                self.sniff(&id, &msg);
                let r = self.send_on(&id, msg, moved_to);
                slots = lock(&self.slots);
                r
            }
        };
        // Refused for a full mailbox, the number was seen (and skipped) by
        // the receiver; otherwise the message went nowhere.
        if let (Err(SendError::NoSuchAgent(_) | SendError::Unreachable(_)), Some(seq)) = (&result, seq) {
            if let Some(s) = slots.get_mut(from) {
                s.sequencer.unstamp(&id, seq);
            }
        }
        result
    }

    /// `send` of many messages: those for agents living here are delivered
    /// under one acquisition of the registry lock, in the order given (so
    /// FIFO per sender and receiver holds); the others are sent on, in
    /// order, after it. One result per message, in the order given.
    pub(crate) fn send_many(&self, msgs: Vec<(AgentId, Message)>) -> Vec<Result<(), SendError>> {
        let mut results: Vec<Result<(), SendError>> = Vec::with_capacity(msgs.len());
        let mut elsewhere = Vec::new();
        {
            let mut slots = lock(&self.slots);
            for (i, (to, msg)) in msgs.into_iter().enumerate() {
                match self.deliver_here(&mut slots, &to, msg) {
                    Delivery::Done(r) => results.push(r),
                    Delivery::Elsewhere(msg, moved_to) => {
                        results.push(Ok(()));
                        elsewhere.push((i, to, msg, moved_to));
                    }
                }
            }
        }
        for (i, to, msg, moved_to) in elsewhere {
            results[i] = self.send_on(&to, msg, moved_to);
        }
        results
    }

    /// Delivers `msg` if its agent lives here (errors: a full mailbox);
    /// otherwise gives it back to be sent on, with the agent's forwarding
    /// pointer (read under the same lock).
    fn deliver_here(&self, slots: &mut Slots, to: &AgentId, msg: Message) -> Delivery {
        match slots.get_mut(to) {
            Some(s) if s.is_here() => Delivery::Done(self.deliver_locked(s, to, msg)),
            Some(s) => Delivery::Elsewhere(msg, s.moved_to.clone()),
            None => Delivery::Elsewhere(msg, None),
        }
    }

    /// An agent not living here: after its forwarding pointer, to its
    /// home, or unknown.
    pub(super) fn send_on(&self, to: &AgentId, msg: Message, moved_to: Option<String>) -> Result<(), SendError> {
        let forwarded = moved_to.is_some();
        let sent = match (moved_to, self.router()) {
            (Some(node), Some(r)) => r.route_to_node(&node, to, msg),
            (None, Some(r)) if to.home() != self.config.node => r.route(to, msg),
            _ => Err(SendError::NoSuchAgent(to.to_string())),
        };
        if sent.is_ok() {
            self.message_out(forwarded);
        }
        sent
    }

    /// Delivers `msg` to `to`, an agent living here (`slot` is its entry
    /// in the locked registry), through its reorder table: what is ready
    /// goes to the mailbox or its parked receiver; an early message is held
    /// back.
    fn deliver_locked(&self, slot: &mut Slot, to: &AgentId, msg: Message) -> Result<(), SendError> {
        let numbered = msg.from.as_ref().zip(msg.seq);
        let refused = match slot.mailbox.len() >= self.mailbox_limit(slot) {
            true => {
                self.counters.refused(crate::observe::Refusal::MailboxFull);
                Err(SendError::MailboxFull(to.to_string()))
            }
            false => self.check_message_size(Some(slot), &msg, "the receiver's"),
        };
        if let Err(refused) = refused {
            if let Some((from, seq)) = numbered {
                let mut out = Released::default();
                slot.reorder.refused(from, seq, &mut out);
                self.put_released(to, slot, out);
            }
            return Err(refused);
        }
        self.message_in(to, &msg);
        // The common case first: unnumbered, or next in line with nothing
        // held back from its sender.
        if numbered.is_none_or(|(from, seq)| slot.reorder.takes_directly(from, seq)) {
            self.put_in_mailbox(slot, msg);
            return Ok(());
        }
        let mut out = Released::default();
        slot.reorder.accept(msg, Instant::now(), &mut out);
        self.put_released(to, slot, out);
        Ok(())
    }

    /// Puts `msg` in the mailbox of the agent of `slot`, or hands it to its
    /// parked receiver and makes that agent runnable (under the registry
    /// lock, so that a checkpoint never misses an agent between its
    /// parking spot and the run queue).
    fn put_in_mailbox(&self, slot: &mut Slot, msg: Message) {
        // A plain receive waiting on an empty mailbox takes this message
        // as it is.
        let plain_waiting = slot.mailbox.is_empty()
            && matches!(&slot.parked, Some(Parked { wait: Wait::Receive(Receiver::Plain { .. }), .. }));
        let m = if plain_waiting {
            msg
        } else {
            slot.mailbox.push_back(msg);
            let at = match &slot.parked {
                Some(Parked { wait: Wait::Receive(r), .. }) => r.pick(&slot.mailbox),
                _ => None,
            };
            match at.and_then(|at| slot.mailbox.remove(at)) {
                Some(m) => m,
                None => return,
            }
        };
        // The agent is parked in a receive (checked above).
        match slot.parked.take() {
            Some(Parked { mut agent, wait: Wait::Receive(receiver), .. }) => {
                receiver.deliver(&mut agent.interp, m);
                self.make_runnable(slot, agent);
            }
            other => slot.parked = other,
        }
    }

    /// What a reorder step released: skipped gaps reported (the agent's
    /// console and the log), messages to the mailbox in order, and a timer
    /// set if messages are still held back.
    fn put_released(&self, id: &AgentId, slot: &mut Slot, out: Released) {
        for gap in out.gaps {
            tracing::info!(node = %self.config.node, "agent {id}: {gap}");
            self.append_console(slot, &format!("--- {gap} ---\n"));
        }
        for m in out.messages {
            self.put_in_mailbox(slot, m);
        }
        if let Some(at) = slot.reorder.arm_timer() {
            lock(&self.gap_timers).push(Reverse((at, id.clone())));
        }
    }

    /// The timer thread: skips the gaps that timed out (each agent's
    /// reorder table asks for one timer at a time).
    pub(super) fn expire_gaps(&self) {
        let now = Instant::now();
        loop {
            let due = {
                let mut timers = lock(&self.gap_timers);
                match timers.peek() {
                    Some(Reverse((at, _))) if *at <= now => timers.pop(),
                    _ => None,
                }
            };
            let Some(Reverse((at, id))) = due else { return };
            let mut slots = lock(&self.slots);
            if let Some(slot) = slots.get_mut(&id).filter(|s| s.is_here()) {
                if slot.reorder.timer_fired(at) {
                    let mut out = Released::default();
                    slot.reorder.expire(now, &mut out);
                    self.put_released(&id, slot, out);
                }
            }
        }
    }

    /// Gives an arriving or restored agent's slot its ordering tables
    /// (held messages the limits do not let it hold go to the mailbox).
    pub(super) fn restore_ordering(&self, id: &AgentId, slot: &mut Slot, state: OrderingState) {
        slot.sequencer = Sequencer::restore(state.sent);
        let mut out = Released::default();
        slot.reorder = Reorder::restore(state.received, Instant::now(), &mut out);
        self.put_released(id, slot, out);
    }

    /// The ordering tables of the agent of `slot`, for its image.
    pub(super) fn ordering_state(slot: &Slot) -> OrderingState {
        OrderingState { sent: slot.sequencer.state(), received: slot.reorder.state() }
    }
}
