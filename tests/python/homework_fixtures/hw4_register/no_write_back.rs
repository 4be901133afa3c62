// A plausible but wrong replica: a read returns the newest value of its query phase at once, without
// storing it on a majority first (no write-back). It passes every visible test: the visible model check
// has one read, and a single read cannot go back in time.
// expect: loses test_faults in hidden

// === edit of answer cell: replica ===
<<<<<<< solution
                    Some(v) => (next_tag(newest.0, ctx.id()), v),
                    None => newest,
                };
=======
                    Some(v) => (next_tag(newest.0, ctx.id()), v),
                    None => {
                        self.ops.remove(&req);
                        return ctx.send(client, Msg::GetOk { req, value: newest.1 });
                    }
                };
>>>>>>> fixture
