//! Exactly-once, FIFO delivery per sender, as plain data: the sender side
//! ([`Sequencer`]) numbers each agent-to-agent message per receiver; the
//! receiver side ([`Reorder`]) delivers each sender's numbers in order,
//! holds back those that come early and drops repeats.
//!
//! Why: a message may reach a moving agent by several paths (sent to its
//! home, forwarded by the node it left, sent straight to where it is, sent
//! by a sender that moved meanwhile), and the paths race. The numbers make
//! the order of arrival irrelevant. Both tables belong to the agent and
//! travel in its image ([`OrderingState`]).
//!
//! Guarantees: a message is delivered at most once per (sender, number);
//! messages of one sender are delivered in the order sent, except across a
//! skipped gap. A gap (a number that never comes: a crash lost it, or a
//! node refused it) is skipped once the message after it has waited
//! [`GAP_TIMEOUT`], so the receiver is never stuck; the skip is reported.
//! Messages with no sending agent (from a client, failures from the
//! platform) carry no number and are delivered at once.
//!
//! Not guaranteed (the tables are bounded): an agent remembers at most
//! [`MAX_PEERS`] senders and receivers, the least recently used forgotten
//! first. A receiver that forgot a sender waits out one gap timeout for
//! its next message (reported as a skip) and could take a late repeat of
//! an old one again. A sender that forgot a receiver starts a new stream
//! to it, in a later generation (the high 32 bits of a number count the
//! sender's generations, the low 32 bits number the messages of a stream
//! from 1): the receiver gives up on the old stream, and its messages
//! still on the way then are dropped. At most [`MAX_HELD`] messages are
//! held per receiving agent; beyond that a gap is skipped at once.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::runtime::{AgentId, Message};

/// Senders (and receivers) an agent keeps numbers for.
pub const MAX_PEERS: usize = 1024;
/// Messages a receiving agent holds back, all senders together.
pub const MAX_HELD: usize = 1024;
/// How long an early message waits for the gap before it to fill.
pub const GAP_TIMEOUT: Duration = Duration::from_secs(2);

/// The generation of a stream number (see the module's documentation).
fn generation(seq: u64) -> u64 {
    seq >> 32
}

/// The first number of a stream of generation `g`.
fn first_of(g: u64) -> u64 {
    (g << 32) | 1
}

/// The ordering tables of an agent at rest (in its image).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderingState {
    /// The next number to send, per receiver, least recently used first.
    pub sent: Vec<(AgentId, u64)>,
    /// Per sender, least recently used first.
    pub received: Vec<Stream>,
}

impl OrderingState {
    pub fn is_empty(&self) -> bool {
        self.sent.is_empty() && self.received.is_empty()
    }
}

/// What a receiver knows of one sender's stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    pub sender: AgentId,
    /// The next number to deliver.
    pub expected: u64,
    /// Messages that came early, lowest number first (each has its `seq`).
    pub held: Vec<Message>,
}

/// A hasher with no per-map state: every agent has a table on each side,
/// and a keyed hasher would add 32 bytes to both (the keys are agent ids,
/// which nodes assign, and the tables are bounded in size).
type FixedHasher = std::hash::BuildHasherDefault<ahash::AHasher>;

/// The sender side: the next number per receiver.
#[derive(Clone, Debug, Default)]
pub struct Sequencer {
    /// Receiver -> (next number, last use).
    next: HashMap<AgentId, (u64, u64), FixedHasher>,
    clock: u64,
    /// Raised each time a receiver is forgotten; new streams start in it.
    generation: u64,
}

impl Sequencer {
    /// The number of the next message to `to` (from 1 while nothing was
    /// forgotten).
    pub fn stamp(&mut self, to: &AgentId) -> u64 {
        self.clock += 1;
        if let Some(entry) = self.next.get_mut(to) {
            let seq = entry.0;
            entry.0 += 1;
            entry.1 = self.clock;
            return seq;
        }
        if self.next.len() >= MAX_PEERS {
            let oldest = self.next.iter().min_by_key(|(_, (_, used))| *used).map(|(id, _)| id.clone());
            if let Some(id) = oldest {
                self.next.remove(&id);
                self.generation += 1;
            }
        }
        let seq = first_of(self.generation);
        self.next.insert(to.clone(), (seq + 1, self.clock));
        seq
    }

    /// The message numbered `seq` to `to` never left: its number is used
    /// again (only the latest number can be given back).
    pub fn unstamp(&mut self, to: &AgentId, seq: u64) {
        if let Some(entry) = self.next.get_mut(to) {
            if entry.0 == seq + 1 {
                entry.0 = seq;
            }
        }
    }

    /// The table, least recently used first.
    pub fn state(&self) -> Vec<(AgentId, u64)> {
        let mut entries: Vec<_> = self.next.iter().map(|(id, (next, used))| (*used, id.clone(), *next)).collect();
        entries.sort_unstable();
        entries.into_iter().map(|(_, id, next)| (id, next)).collect()
    }

    /// A table from `state` (extra entries beyond the limit: the oldest go).
    pub fn restore(state: Vec<(AgentId, u64)>) -> Sequencer {
        let mut s = Sequencer::default();
        let skip = state.len().saturating_sub(MAX_PEERS);
        for (id, next) in state.into_iter().skip(skip) {
            s.clock += 1;
            // The latest stream is of the latest generation.
            s.generation = s.generation.max(generation(next));
            s.next.insert(id, (next.max(1), s.clock));
        }
        s
    }
}

/// Numbers that were skipped: `first..=last` from `sender` never came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub sender: AgentId,
    pub first: u64,
    pub last: u64,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "message {} from {} never came; skipped", self.first, self.sender)
        } else {
            write!(f, "messages {} to {} from {} never came; skipped", self.first, self.last, self.sender)
        }
    }
}

/// What a step of [`Reorder`] gives to the mailbox, in order, and the
/// gaps it skipped.
#[derive(Debug, Default)]
pub struct Released {
    pub messages: Vec<Message>,
    pub gaps: Vec<Gap>,
}

/// What became of an arriving message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No number: delivered as it is.
    Unsequenced,
    /// The next one expected: delivered (with any held ones it unblocked).
    InOrder,
    /// Early: held until the gap before it fills or times out.
    Held,
    /// Delivered or held already: dropped.
    Repeat,
}

#[derive(Debug)]
struct InStream {
    expected: u64,
    /// Number -> (message, when it arrived).
    held: BTreeMap<u64, (Message, Instant)>,
    used: u64,
}

impl Default for InStream {
    /// A stream not heard from yet: it starts at 1.
    fn default() -> InStream {
        InStream { expected: 1, held: BTreeMap::new(), used: 0 }
    }
}

impl InStream {
    /// Moves the held messages that are next in line out; how many.
    fn release_run(&mut self, out: &mut Released) -> usize {
        let mut n = 0;
        while let Some(entry) = self.held.first_entry() {
            if *entry.key() != self.expected {
                break;
            }
            out.messages.push(entry.remove().0);
            self.expected += 1;
            n += 1;
        }
        n
    }

    /// Gives up on the numbers before the lowest held one; how many held
    /// messages that released.
    fn skip_gap(&mut self, sender: &AgentId, out: &mut Released) -> usize {
        if let Some(&first_held) = self.held.keys().next() {
            if first_held > self.expected {
                out.gaps.push(Gap { sender: sender.clone(), first: self.expected, last: first_held - 1 });
                self.expected = first_held;
            }
        }
        self.release_run(out)
    }

    fn oldest_arrival(&self) -> Option<Instant> {
        self.held.values().map(|(_, at)| *at).min()
    }
}

/// The receiver side: per sender, the next number expected and the
/// messages held back. Time is given by the caller (`now`), so the logic
/// is deterministic; the runtime's timer thread calls [`Reorder::expire`]
/// at the deadline [`Reorder::arm_timer`] asks for.
#[derive(Debug, Default)]
pub struct Reorder {
    streams: HashMap<AgentId, InStream, FixedHasher>,
    held_total: usize,
    clock: u64,
    /// The deadline a timer is set for, if any.
    timer: Option<Instant>,
}

impl Reorder {
    /// Takes an arriving message: what is ready goes to `out` in order.
    pub fn accept(&mut self, msg: Message, now: Instant, out: &mut Released) -> Verdict {
        let (Some(sender), Some(seq)) = (msg.from.clone(), msg.seq) else {
            out.messages.push(msg);
            return Verdict::Unsequenced;
        };
        self.make_room(&sender, out);
        self.clock += 1;
        // Field by field, so that the stream and the count borrow apart.
        let stream = self.streams.entry(sender.clone()).or_default();
        stream.used = self.clock;
        if generation(seq) > generation(stream.expected) {
            // The sender forgot this receiver and began a new stream.
            self.held_total -= Self::skip_all(stream, &sender, out);
            stream.expected = first_of(generation(seq));
        }
        if seq < stream.expected || stream.held.contains_key(&seq) {
            return Verdict::Repeat;
        }
        if seq == stream.expected {
            out.messages.push(msg);
            stream.expected += 1;
            self.held_total -= stream.release_run(out);
            return Verdict::InOrder;
        }
        stream.held.insert(seq, (msg, now));
        self.held_total += 1;
        if self.held_total > MAX_HELD {
            self.held_total -= stream.skip_gap(&sender, out);
        }
        Verdict::Held
    }

    /// The fast path: if `seq` is next from `sender` and nothing of it is
    /// held back, counts it delivered (the caller delivers it) and says so;
    /// otherwise changes nothing.
    pub fn takes_directly(&mut self, sender: &AgentId, seq: u64) -> bool {
        match self.streams.get_mut(sender) {
            Some(s) if s.expected == seq && s.held.is_empty() => {
                self.clock += 1;
                s.used = self.clock;
                s.expected += 1;
                true
            }
            _ => false,
        }
    }

    /// The message `seq` from `sender` was refused (its receiver's mailbox
    /// was full; the sender was told): the stream does not wait for it.
    pub fn refused(&mut self, sender: &AgentId, seq: u64, out: &mut Released) {
        let stream = self.stream(sender, out);
        if seq == stream.expected {
            stream.expected += 1;
            let n = stream.release_run(out);
            self.held_total -= n;
        }
    }

    /// Skips the gaps whose later messages have waited [`GAP_TIMEOUT`].
    pub fn expire(&mut self, now: Instant, out: &mut Released) {
        for (sender, stream) in &mut self.streams {
            while stream.oldest_arrival().is_some_and(|at| now >= at + GAP_TIMEOUT) {
                self.held_total -= stream.skip_gap(sender, out);
            }
        }
    }

    /// When [`Reorder::expire`] should next run, if it should and no timer
    /// is set for it yet (the caller sets one: it is now armed).
    pub fn arm_timer(&mut self) -> Option<Instant> {
        if self.timer.is_some() {
            return None;
        }
        let due = self.streams.values().filter_map(InStream::oldest_arrival).min()? + GAP_TIMEOUT;
        self.timer = Some(due);
        Some(due)
    }

    /// A timer set for `at` fired: is it the armed one (not a stale one)?
    /// It is disarmed.
    pub fn timer_fired(&mut self, at: Instant) -> bool {
        let armed = self.timer == Some(at);
        if armed {
            self.timer = None;
        }
        armed
    }

    /// Messages held back now.
    pub fn held(&self) -> usize {
        self.held_total
    }

    /// The table, least recently used first.
    pub fn state(&self) -> Vec<Stream> {
        let mut streams: Vec<(u64, Stream)> = self
            .streams
            .iter()
            .map(|(sender, s)| {
                let held = s.held.values().map(|(m, _)| m.clone()).collect();
                (s.used, Stream { sender: sender.clone(), expected: s.expected, held })
            })
            .collect();
        streams.sort_unstable_by(|a, b| (a.0, &a.1.sender).cmp(&(b.0, &b.1.sender)));
        streams.into_iter().map(|(_, s)| s).collect()
    }

    /// A table from `state`, its held messages arrived `now`; what the
    /// limits do not let it hold is released to `out`.
    pub fn restore(state: Vec<Stream>, now: Instant, out: &mut Released) -> Reorder {
        let mut r = Reorder::default();
        for s in state {
            r.stream(&s.sender, out).expected = s.expected.max(1);
            for m in s.held {
                // A held message is from this sender, numbered past `expected`.
                if m.from.as_ref() == Some(&s.sender) && m.seq.is_some() {
                    r.accept(m, now, out);
                }
            }
        }
        r
    }

    /// The stream of `sender`, made if new (forgetting the least recently
    /// used one if the table is full); marked used.
    fn stream(&mut self, sender: &AgentId, out: &mut Released) -> &mut InStream {
        self.make_room(sender, out);
        self.clock += 1;
        let stream = self.streams.entry(sender.clone()).or_default();
        stream.used = self.clock;
        stream
    }

    /// Forgets the least recently used stream (releasing what it held) if
    /// the table is full and `sender` has none.
    fn make_room(&mut self, sender: &AgentId, out: &mut Released) {
        if !self.streams.contains_key(sender) && self.streams.len() >= MAX_PEERS {
            let oldest = self.streams.iter().min_by_key(|(_, s)| s.used).map(|(id, _)| id.clone());
            if let Some((id, mut s)) = oldest.and_then(|id| self.streams.remove_entry(&id)) {
                self.held_total -= Self::skip_all(&mut s, &id, out);
            }
        }
    }

    /// Releases every held message of `stream`, skipping its gaps.
    fn skip_all(stream: &mut InStream, sender: &AgentId, out: &mut Released) -> usize {
        let mut n = 0;
        while !stream.held.is_empty() {
            n += stream.skip_gap(sender, out);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(s: &str) -> AgentId {
        AgentId::parse(s).unwrap()
    }

    fn msg(from: &str, seq: u64) -> Message {
        Message { from: Some(id(from)), code: 0, body: seq.to_string(), acl: None, hops: 0, seq: Some(seq) }
    }

    /// Feeds `seqs` from one sender at `now`; the bodies delivered.
    fn feed(r: &mut Reorder, from: &str, seqs: &[u64], now: Instant) -> (Vec<String>, Vec<Gap>) {
        let mut out = Released::default();
        for &s in seqs {
            r.accept(msg(from, s), now, &mut out);
        }
        (out.messages.into_iter().map(|m| m.body).collect(), out.gaps)
    }

    #[test]
    fn the_sender_numbers_each_receiver_from_one_and_gives_back_the_last() {
        let mut s = Sequencer::default();
        let (a, b) = (id("1@x"), id("2@x"));
        assert_eq!([s.stamp(&a), s.stamp(&a), s.stamp(&b), s.stamp(&a)], [1, 2, 1, 3]);
        s.unstamp(&a, 2); // not the latest: ignored
        s.unstamp(&a, 3);
        assert_eq!(s.stamp(&a), 3);
        assert_eq!(s.state(), vec![(b.clone(), 2), (a.clone(), 4)]);
        let mut again = Sequencer::restore(s.state());
        assert_eq!((again.stamp(&b), again.stamp(&a)), (2, 4));
    }

    #[test]
    fn the_sender_forgets_the_least_recently_used_receiver() {
        let mut s = Sequencer::default();
        for n in 0..MAX_PEERS {
            s.stamp(&id(&format!("{n}@x")));
        }
        s.stamp(&id("0@x"));
        assert_eq!(s.stamp(&id("99999@x")), first_of(1), "a new generation");
        assert_eq!(s.state().len(), MAX_PEERS);
        assert_eq!(s.stamp(&id("0@x")), 3, "recently used: kept");
        assert_eq!(s.stamp(&id("1@x")), first_of(2), "least recently used: forgotten, a new stream");
        assert_eq!(Sequencer::restore(s.state()).stamp(&id("100000@x")), first_of(3));
    }

    #[test]
    fn early_messages_wait_for_the_gap_and_repeats_are_dropped() {
        let t = Instant::now();
        let mut r = Reorder::default();
        let (got, gaps) = feed(&mut r, "1@a", &[1, 3, 4, 3, 1], t);
        assert_eq!((got, gaps), (vec!["1".to_string()], vec![]));
        assert_eq!(r.held(), 2);
        let (got, _) = feed(&mut r, "1@a", &[2, 2, 4, 5], t);
        assert_eq!(got, ["2", "3", "4", "5"]);
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn senders_are_ordered_independently_and_unnumbered_messages_pass() {
        let t = Instant::now();
        let mut r = Reorder::default();
        let mut out = Released::default();
        r.accept(msg("1@a", 2), t, &mut out);
        assert_eq!(r.accept(msg("2@b", 1), t, &mut out), Verdict::InOrder);
        let plain = Message { seq: None, ..msg("1@a", 9) };
        assert_eq!(r.accept(plain, t, &mut out), Verdict::Unsequenced);
        let bodies: Vec<_> =
            out.messages.iter().map(|m| (m.from.clone().unwrap().to_string(), m.body.clone())).collect();
        assert_eq!(bodies, [("2@b".to_string(), "1".to_string()), ("1@a".into(), "9".into())]);
    }

    #[test]
    fn a_gap_that_does_not_fill_is_skipped_after_the_timeout() {
        let t = Instant::now();
        let mut r = Reorder::default();
        feed(&mut r, "1@a", &[1, 4, 5], t);
        let due = r.arm_timer().unwrap();
        assert_eq!(due, t + GAP_TIMEOUT);
        assert_eq!(r.arm_timer(), None, "armed already");
        feed(&mut r, "1@a", &[8], t + Duration::from_secs(1));
        let mut out = Released::default();
        r.expire(due - Duration::from_millis(1), &mut out);
        assert!(out.messages.is_empty());
        assert!(!r.timer_fired(due - Duration::from_millis(1)), "a stale timer");
        assert!(r.timer_fired(due));
        r.expire(due, &mut out);
        let got: Vec<_> = out.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(got, ["4", "5"]);
        assert_eq!(out.gaps, vec![Gap { sender: id("1@a"), first: 2, last: 3 }]);
        assert_eq!(out.gaps[0].to_string(), "messages 2 to 3 from 1@a never came; skipped");
        // 8 arrived a second later: its own deadline.
        assert_eq!(r.arm_timer(), Some(t + Duration::from_secs(1) + GAP_TIMEOUT));
        let (got, _) = feed(&mut r, "1@a", &[6, 7, 2, 3], t);
        assert_eq!(got, ["6", "7", "8"]);
    }

    #[test]
    fn a_refused_message_is_not_waited_for() {
        let t = Instant::now();
        let mut r = Reorder::default();
        feed(&mut r, "1@a", &[1, 3], t);
        let mut out = Released::default();
        r.refused(&id("1@a"), 2, &mut out);
        assert_eq!(out.messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["3"]);
        assert!(out.gaps.is_empty());
    }

    #[test]
    fn a_stream_of_a_later_generation_replaces_the_old_one() {
        let t = Instant::now();
        let mut r = Reorder::default();
        feed(&mut r, "1@a", &[1, 2, 3, 5], t);
        let (got, gaps) = feed(&mut r, "1@a", &[first_of(1) + 1, first_of(1), 4, 6], t);
        let new = |n: u64| (first_of(1) + n).to_string();
        assert_eq!(got, ["5".to_string(), new(0), new(1)]);
        assert_eq!(gaps, vec![Gap { sender: id("1@a"), first: 4, last: 4 }]);
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn the_hold_back_buffer_is_bounded() {
        let t = Instant::now();
        let mut r = Reorder::default();
        let seqs: Vec<u64> = (3..3 + MAX_HELD as u64 + 1).collect();
        let (got, gaps) = feed(&mut r, "1@a", &seqs, t);
        assert_eq!(got.len(), MAX_HELD + 1, "the full buffer gave up on the gap");
        assert_eq!(gaps, vec![Gap { sender: id("1@a"), first: 1, last: 2 }]);
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn a_forgotten_sender_releases_what_it_held() {
        let t = Instant::now();
        let mut r = Reorder::default();
        feed(&mut r, "0@a", &[2], t);
        for n in 1..MAX_PEERS {
            feed(&mut r, &format!("{n}@a"), &[1], t);
        }
        let (got, gaps) = feed(&mut r, "99999@a", &[1], t);
        assert_eq!(got, ["2", "1"]);
        assert_eq!(gaps, vec![Gap { sender: id("0@a"), first: 1, last: 1 }]);
        assert_eq!(r.state().len(), MAX_PEERS);
    }

    #[test]
    fn the_tables_survive_state_and_restore() {
        let t = Instant::now();
        let mut r = Reorder::default();
        feed(&mut r, "1@a", &[1, 2, 4, 6], t);
        feed(&mut r, "2@b", &[1], t);
        let state = r.state();
        assert_eq!(state[0].sender, id("1@a"));
        assert_eq!(state[0].expected, 3);
        assert_eq!(state[0].held.iter().map(|m| m.seq).collect::<Vec<_>>(), [Some(4), Some(6)]);
        let mut out = Released::default();
        let mut back = Reorder::restore(state.clone(), t, &mut out);
        assert!(out.messages.is_empty());
        assert_eq!(back.state(), state);
        let (got, _) = feed(&mut back, "1@a", &[4, 3, 5], t);
        assert_eq!(got, ["3", "4", "5", "6"]);
    }

    proptest! {
        /// Any interleaving of a sender's stream with repeats, delivered
        /// before the gap timeout, comes out exactly once and in order.
        #[test]
        fn any_arrival_order_with_repeats_is_delivered_once_in_order(
            n in 1u64..60,
            keys in proptest::collection::vec(any::<u32>(), 60..180),
            repeats in proptest::collection::vec(0u64..60, 0..40),
        ) {
            let mut arrivals: Vec<u64> = (1..=n).chain(repeats.into_iter().map(|r| r % n + 1)).collect();
            let mut keyed: Vec<(u32, u64)> = arrivals.drain(..).zip(keys.iter().copied().cycle()).map(|(s, k)| (k, s)).collect();
            keyed.sort();
            let t = Instant::now();
            let mut r = Reorder::default();
            let mut out = Released::default();
            for (i, (_, seq)) in keyed.into_iter().enumerate() {
                r.accept(msg("1@a", seq), t + Duration::from_millis(i as u64), &mut out);
                // A restore between any two arrivals changes nothing.
                if i % 7 == 3 {
                    r = Reorder::restore(r.state(), t, &mut out);
                }
            }
            let got: Vec<u64> = out.messages.iter().map(|m| m.seq.unwrap()).collect();
            prop_assert_eq!(got, (1..=n).collect::<Vec<_>>());
            prop_assert!(out.gaps.is_empty());
            prop_assert_eq!(r.held(), 0);
        }

        /// With messages lost, expiry skips the gaps: every message that
        /// came is delivered once, in increasing order.
        #[test]
        fn lost_messages_are_skipped_never_reordered(
            n in 1u64..60,
            lost in proptest::collection::vec(any::<bool>(), 60),
            keys in proptest::collection::vec(any::<u32>(), 60),
        ) {
            let mut keyed: Vec<(u32, u64)> =
                (1..=n).filter(|s| !lost[*s as usize - 1]).map(|s| (keys[s as usize - 1], s)).collect();
            keyed.sort();
            let t = Instant::now();
            let mut r = Reorder::default();
            let mut out = Released::default();
            for (_, seq) in &keyed {
                r.accept(msg("1@a", *seq), t, &mut out);
            }
            r.expire(t + GAP_TIMEOUT, &mut out);
            let got: Vec<u64> = out.messages.iter().map(|m| m.seq.unwrap()).collect();
            let mut came: Vec<u64> = keyed.iter().map(|(_, s)| *s).collect();
            came.sort();
            prop_assert_eq!(got, came);
            prop_assert_eq!(r.held(), 0);
        }
    }
}
