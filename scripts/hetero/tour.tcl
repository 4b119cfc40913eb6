# An agent that carries every kind of state across machines of different
# architectures and byte orders, and checks it at every stop against what
# it computed before leaving. Submitted by scripts/hetero-tour.sh with
# the variables `stops` (node names, in tour order, ending where it
# started) and `clone_to` (where a clone goes and reports back from).

# ----- the state it carries ---------------------------------------------
set big [expr {2**200 - 3**100}]
set negbig [expr {-(7**90)}]
set doubles [list [expr {0.1 + 0.2}] [expr {1.0 / 3}] [expr {2.0**-1074}] [expr {-0.0}] [expr {1e308}] [expr {sqrt(2)}] [expr {-1.5e-300}]]
set wide [expr {-9223372036854775807 - 1}]
set nested [list a [list b [list c [list d [list e {f g}]]]] {x y {z {w v}}}]
set config [dict create name tour depth [dict create a 1 b [dict create c [list 1 2 3]]] ratio 0.75]
array set inventory {apples 3 pears 17 "two words" {a list} ünïcødé ✓}
set text "héllo, 世界 🌍 — ﬁ \u0000 end"
set counter 0
proc square {x} { expr {$x * $x} }
proc describe {args} { return "[llength $args] args: [join $args ,]" }

# A canonical string of everything above, computed the same way at every
# stop: what left must be what arrives.
proc fingerprint {} {
    global big negbig doubles wide nested config inventory text counter
    set d {}
    foreach x $doubles { lappend d [format %.17g $x] }
    set arr {}
    foreach k [lsort [array names inventory]] { lappend arr $k $inventory($k) }
    list $big $negbig $d $wide $nested $config $arr [string length $text] $text \
        [scan [string index $text 14] %c] $counter [square 12345678901] [describe 1 {2 3} é] \
        [info procs square] [string reverse $text]
}

# ----- the tour -----------------------------------------------------------
set report {}
set finally_runs 0

# Jumps inside a deep stack of procs, each level inside catch or try, and
# checks the state on arrival; the result climbs back up the stack.
proc descend {depth dest} {
    global finally_runs
    if {$depth == 0} {
        set before [fingerprint]
        # Two messages to itself wait in the mailbox during the jump.
        agent_send $::agent(local) 7 "pending one"
        agent_send $::agent(local) 8 "pending two"
        set t0 [clock microseconds]
        agent_jump $dest
        set took [expr {([clock microseconds] - $t0) / 1000.0}]
        set after [fingerprint]
        agent_receive c1 m1 -timeout 5000
        agent_receive c2 m2 -timeout 5000
        set info [agent_info]
        return [list $before $after [list $c1 $m1 $c2 $m2] $took [dict get $info node] \
            [dict get $info machine] [dict get $info byteOrder]]
    }
    if {$depth % 2} {
        set code [catch {descend [expr {$depth - 1}] $dest} r]
        if {$code} { error "level $depth: $r" }
        return $r
    }
    try {
        return [descend [expr {$depth - 1}] $dest]
    } finally {
        incr finally_runs
    }
}

# Resource bindings: a file that moves with the agent (by identifier,
# unattached) and store keys copied along (by value).
set notes [resource file tour-notes.txt -by id]
resource write $notes "written at [dict get [agent_info] node]"
set cache [resource store tourcache/ -by value -on-move copy]
store -handle $cache set colour "blue ✓"

set start [dict get [agent_info] node]
puts "start on $start ([dict get [agent_info] machine], [dict get [agent_info] byteOrder])"
set depth 24
foreach dest $stops {
    incr counter
    lassign [descend $depth $dest] before after pending took node machine order
    set ok [expr {$before eq $after ? "state intact" : "STATE CHANGED"}]
    if {$pending ne {7 {pending one} 8 {pending two}}} { set ok "MAILBOX WRONG: $pending" }
    if {[resource read $notes] ne "written at $start"} { set ok "FILE WRONG: [resource read $notes]" }
    if {[store -handle $cache get colour] ne "blue ✓"} { set ok "STORE WRONG" }
    puts [format "hop to %-6s (%-7s %-12s) %8.1f ms  %s" $node $machine $order $took $ok]
    lappend report $ok
}

# A clone onto the big-endian machine, which sends back what it sees.
set parent $agent(local)
set expect [fingerprint]
set child [agent_fork $clone_to]
if {$child eq ""} {
    set info [agent_info]
    agent_send $parent 0 [list [dict get $info machine] [dict get $info byteOrder] [fingerprint]]
    agent_end
}
agent_receive code msg -timeout 30000
lassign $msg machine order seen
set ok [expr {$seen eq $expect ? "state intact" : "STATE CHANGED"}]
puts "clone $child on $clone_to ($machine, $order) reports: $ok"
lappend report $ok
puts "finally clauses run: $finally_runs (expected [expr {[llength $stops] * $depth / 2}])"
if {$finally_runs != [llength $stops] * $depth / 2} { lappend report "FINALLY WRONG" }
set failures [lsearch -all -exact -not $report "state intact"]
if {[llength $failures]} { error "tour failed: $report" }
set result "tour passed: [llength $stops] hops and a clone"
