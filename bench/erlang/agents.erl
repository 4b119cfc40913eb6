#!/usr/bin/env escript
%%! +P 2000000
%% The same workloads as crates/core/examples/bench_agents.rs, on Erlang/OTP
%% processes. Prints `name value unit`. Usage: agents.erl MODE N
-mode(compile).

main([Mode, NStr]) ->
    N = list_to_integer(NStr),
    run(list_to_atom(Mode), N).

run(spawn, N) ->
    Self = self(),
    T0 = erlang:monotonic_time(microsecond),
    [spawn(fun() -> Self ! done end) || _ <- lists:seq(1, N)],
    wait_done(N),
    T = erlang:monotonic_time(microsecond) - T0,
    io:format("spawn_exit_rate ~p agents/s~n", [round(N / (T / 1.0e6))]);
run(idle, N) ->
    erlang:garbage_collect(),
    Before = erlang:memory(total),
    Pids = [spawn(fun() -> receive {C, B} -> {C, B} end end) || _ <- lists:seq(1, N)],
    After = erlang:memory(total),
    io:format("idle_agent_memory ~p bytes/agent~n", [round((After - Before) / N)]),
    length(Pids);
run(oneway, N) ->
    Self = self(),
    Rx = spawn(fun() -> count(N), Self ! done end),
    T0 = erlang:monotonic_time(microsecond),
    spawn(fun() -> [Rx ! {0, x} || _ <- lists:seq(1, N)] end),
    receive done -> ok end,
    T = erlang:monotonic_time(microsecond) - T0,
    io:format("local_oneway_rate ~p messages/s~n", [round(N / (T / 1.0e6))]);
run(pingpong, N) ->
    Self = self(),
    Pong = spawn(fun Loop() -> receive {From, B} -> From ! {self(), B}, Loop() end end),
    T0 = erlang:monotonic_time(microsecond),
    spawn(fun() -> ping(Pong, N), Self ! done end),
    receive done -> ok end,
    T = erlang:monotonic_time(microsecond) - T0,
    io:format("local_pingpong_rate ~p roundtrips/s~n", [round(N / (T / 1.0e6))]).

wait_done(0) -> ok;
wait_done(K) -> receive done -> wait_done(K - 1) end.

count(0) -> ok;
count(K) -> receive {_, _} -> count(K - 1) end.

ping(_, 0) -> ok;
ping(Pong, K) -> Pong ! {self(), x}, receive {_, _} -> ping(Pong, K - 1) end.
