# The seed's strong-mobility example (AGENT-TCL.md): the agent jumps from
# node to node and runs `who` on each; its variables, the proc's frame and
# the loop go with it. Needs nodes alpha, beta and gamma linked, and
# `--allow-exec who` on each (exec is a capability of the node).
proc all_users machines {
    set list ""
    foreach m $machines {
        agent_jump $m
        append list "$m: [exec who]\n"
    }
    return $list
}
set machines {alpha beta gamma}
puts [all_users $machines]
