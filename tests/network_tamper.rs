//! "The network is secure" is a fallacy: a hostile party rewrites messages, and MACs defeat it.

use distsim::prelude::*;
use distsim::trace::{DropReason, EventKind};

const KEY: &[u8] = b"shared by the bank's nodes only";

#[derive(Clone, Debug, PartialEq)]
struct Transfer {
    amount: u32,
    tag: Option<auth::Tag>,
}

struct Bank {
    check_mac: bool,
    accepted: Vec<u32>,
    rejected: u32,
}

impl Node for Bank {
    type Msg = Transfer;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Transfer>) {
        if ctx.id() == 0 {
            for amount in [10u32, 20, 30] {
                let tag = self.check_mac.then(|| auth::sign(KEY, &amount.to_le_bytes()));
                ctx.send(1, Transfer { amount, tag });
            }
        }
    }
    fn on_message(&mut self, _ctx: &mut Context<Transfer>, _from: NodeId, t: Transfer) {
        let genuine = match (self.check_mac, &t.tag) {
            (false, _) => true,
            (true, Some(tag)) => auth::verify(KEY, &t.amount.to_le_bytes(), tag),
            (true, None) => false,
        };
        if genuine {
            self.accepted.push(t.amount);
        } else {
            self.rejected += 1;
        }
    }
}

fn bank(check_mac: bool) -> Simulation<Bank> {
    let nodes = (0..2).map(|_| Bank { check_mac, accepted: vec![], rejected: 0 }).collect();
    let mut sim = Simulation::new(1, nodes).unwrap();
    // The attacker multiplies every amount by 100, swallows the third, and keeps the tag.
    sim.set_tamper(Box::new(|p: &mut Packet<Transfer>| {
        if p.msg.amount == 30 {
            return Verdict::Drop;
        }
        p.msg.amount *= 100;
        Verdict::Pass
    }));
    sim.run_until_quiet().unwrap();
    sim
}

#[test]
fn without_macs_forged_amounts_are_accepted() {
    let sim = bank(false);
    assert_eq!(sim.node(1).accepted, [1000, 2000]);
    let rejected = sim.trace().count(|k| matches!(k, EventKind::Drop { reason: DropReason::Rejected, .. }));
    assert_eq!(rejected, 1, "the swallowed message is traced as a drop");
}

#[test]
fn with_macs_every_forgery_is_caught() {
    let sim = bank(true);
    assert!(sim.node(1).accepted.is_empty());
    assert_eq!(sim.node(1).rejected, 2);
}

#[test]
fn replace_substitutes_the_payload_and_forged_senders_are_believed() {
    struct Who(Vec<NodeId>);
    impl Node for Who {
        type Msg = u8;
        type Timer = ();
        fn on_start(&mut self, ctx: &mut Context<u8>) {
            if ctx.id() == 0 {
                ctx.send(1, 1);
            }
        }
        fn on_message(&mut self, _ctx: &mut Context<u8>, from: NodeId, m: u8) {
            self.0.push(from * 100 + m as usize);
        }
    }
    let mut sim = Simulation::new(1, vec![Who(vec![]), Who(vec![]), Who(vec![])]).unwrap();
    sim.set_tamper(Box::new(|p: &mut Packet<u8>| {
        p.from = 2; // claim node 2 sent it
        Verdict::Replace(7)
    }));
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(1).0, [207]);
    sim.clear_tamper();
}
