%% The workloads of crates/node/examples/bench_remote.rs on two distributed
%% Erlang nodes on loopback: this node (alpha) starts a peer node (beta) with
%% the `peer` module, the receiving process runs on beta, the sending one
%% on alpha. Prints `name value unit`. Run through scripts/bench-remote.sh
%% (which compiles this module and starts alpha with -sname and a cookie).
%%
%% oneway: N messages alpha -> beta with the same flow control as the Rust
%% benchmark: the receiver acknowledges every B messages, the sender keeps
%% at most W unacknowledged rounds of B. pingpong: N round trips.
-module(remote).
-export([main/1, rx/2, pong/0]).

-define(B, 1000).
-define(W, 2).

main([Mode, NStr, Dir]) ->
    N = list_to_integer(NStr),
    {ok, Peer, Beta} = peer:start(#{name => peer:random_name(itin_beta),
                                    args => ["-setcookie", atom_to_list(erlang:get_cookie()),
                                             "-pa", Dir]}),
    try run(list_to_atom(Mode), N, Beta)
    after peer:stop(Peer)
    end,
    halt().

run(oneway, N, Beta) ->
    0 = N rem ?B,
    Self = self(),
    warm(Beta),
    Rx = spawn(Beta, ?MODULE, rx, [N, 1]),
    T0 = erlang:monotonic_time(microsecond),
    spawn(fun() -> tx(Rx, N div ?B, 1, 0), Self ! done end),
    receive done -> ok end,
    T = erlang:monotonic_time(microsecond) - T0,
    io:format("remote_oneway_rate ~p messages/s~n", [round(N / (T / 1.0e6))]);
run(pingpong, N, Beta) ->
    Self = self(),
    warm(Beta),
    Pong = spawn(Beta, ?MODULE, pong, []),
    T0 = erlang:monotonic_time(microsecond),
    spawn(fun() -> ping(Pong, N), Self ! done end),
    receive done -> ok end,
    T = erlang:monotonic_time(microsecond) - T0,
    io:format("remote_pingpong_rate ~p roundtrips/s~n", [round(N / (T / 1.0e6))]).

%% 100 round trips before timing: the connection is up.
warm(Beta) ->
    Pong = spawn(Beta, ?MODULE, pong, []),
    ping(Pong, 100),
    exit(Pong, kill).

%% Receives N messages; acknowledges every B-th to its sender.
rx(N, I) when I > N -> ok;
rx(N, I) ->
    receive {From, _} ->
        case I rem ?B of
            0 -> From ! ack;
            _ -> ok
        end,
        rx(N, I + 1)
    end.

%% Round R of Rounds: B messages, then wait until at most W rounds are
%% unacknowledged; at the end, wait for every acknowledgement.
tx(_, Rounds, R, Acks) when R > Rounds -> wait_acks(Acks, Rounds);
tx(Rx, Rounds, R, Acks) ->
    send(Rx, ?B),
    tx(Rx, Rounds, R + 1, wait_acks(Acks, R - ?W)).

send(_, 0) -> ok;
send(Rx, K) -> Rx ! {self(), x}, send(Rx, K - 1).

wait_acks(Acks, Want) when Acks >= Want -> Acks;
wait_acks(Acks, Want) -> receive ack -> wait_acks(Acks + 1, Want) end.

pong() -> receive {From, B} -> From ! {self(), B}, pong() end.

ping(_, 0) -> ok;
ping(Pong, K) -> Pong ! {self(), x}, receive {_, _} -> ping(Pong, K - 1) end.
