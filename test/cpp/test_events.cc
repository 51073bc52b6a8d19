// Events: trigger, poison, merge, subscribe, under concurrency.
#include <atomic>
#include <thread>
#include <vector>

#include "check.h"
#include "events/event.h"

using namespace cohort;

TEST("a default event has always triggered") {
  Event e;
  CHECK(e.hasFired());
  CHECK(!e.isPoisoned());
  int calls = 0;
  e.subscribe(makeWaiter([&](const FailurePtr& f) { calls += f ? 100 : 1; }));
  CHECK(calls == 1);
}

TEST("a waiter added before the trigger runs exactly once when it fires") {
  Event e = Event::create();
  int calls = 0;
  e.subscribe(makeWaiter([&](const FailurePtr&) { ++calls; }));
  CHECK(calls == 0);
  CHECK(!e.hasFired());
  e.trigger();
  CHECK(calls == 1);
  CHECK(e.hasFired());
}

TEST("a waiter added after the trigger runs at once on the caller's thread") {
  Event e = Event::create();
  e.trigger();
  int calls = 0;
  CHECK(!e.addWaiter(makeWaiter([&](const FailurePtr&) { ++calls; })));
  e.subscribe(makeWaiter([&](const FailurePtr&) { ++calls; }));
  CHECK(calls == 1);
}

TEST("poisoning carries the failure to every waiter") {
  Event e = Event::create();
  std::string seen;
  e.subscribe(makeWaiter([&](const FailurePtr& f) { seen = f ? f->message : "none"; }));
  e.poison(makeFailure("boom", "stack", "task 'x' (op #1)"));
  CHECK(seen == "boom");
  CHECK(e.isPoisoned());
  CHECK(e.failure()->origin == "task 'x' (op #1)");
}

TEST("merge fires only when every input has fired") {
  Event a = Event::create(), b = Event::create(), c = Event::create();
  Event m = Event::merge({a, b, c});
  a.trigger();
  c.trigger();
  CHECK(!m.hasFired());
  b.trigger();
  CHECK(m.hasFired());
  CHECK(!m.isPoisoned());
}

TEST("merge of fired or absent events is already triggered") {
  Event a = Event::create();
  a.trigger();
  CHECK(Event::merge({a, Event()}).hasFired());
  CHECK(Event::merge({}).hasFired());
}

TEST("merge is poisoned if any input is poisoned, with that failure") {
  Event a = Event::create(), b = Event::create();
  Event m = Event::merge({a, b});
  b.poison(makeFailure("bad", "", "op b"));
  CHECK(!m.hasFired());
  a.trigger();
  REQUIRE(m.isPoisoned());
  CHECK(m.failure()->message == "bad");
  Event p = Event::poisoned(makeFailure("early", "", "op p"));
  CHECK(Event::merge({Event::create(), p}).isPoisoned());
}

TEST("settled waits for every input, failed or not, and is never poisoned") {
  Event a = Event::create(), b = Event::create();
  Event p = Event::poisoned(makeFailure("early", "", "op p"));
  Event s = Event::settled({a, p, b, Event()});
  b.poison(makeFailure("bad", "", "op b"));
  CHECK(!s.hasFired());
  a.trigger();
  CHECK(s.hasFired());
  CHECK(!s.isPoisoned());
  CHECK(Event::settled({p, Event()}).hasFired());
  CHECK(!Event::settled({p}).isPoisoned());
}

TEST("many threads subscribing while another triggers: every waiter runs once") {
  for (int round = 0; round < 50; ++round) {
    Event e = Event::create();
    std::atomic<int> calls{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 100; ++i) e.subscribe(makeWaiter([&](const FailurePtr&) { calls.fetch_add(1); }));
      });
    }
    std::thread trigger([&] { e.trigger(); });
    for (auto& t : threads) t.join();
    trigger.join();
    CHECK(calls.load() == 400);
  }
}

TEST("a merge of events fired from several threads fires once") {
  for (int round = 0; round < 50; ++round) {
    std::vector<Event> inputs;
    for (int i = 0; i < 8; ++i) inputs.push_back(Event::create());
    Event m = Event::merge(inputs);
    std::atomic<int> calls{0};
    m.subscribe(makeWaiter([&](const FailurePtr&) { calls.fetch_add(1); }));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        inputs[2 * t].trigger();
        inputs[2 * t + 1].trigger();
      });
    for (auto& t : threads) t.join();
    CHECK(calls.load() == 1);
  }
}

TEST_MAIN("events")
