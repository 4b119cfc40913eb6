# The seed's weak-mobility example (AGENT-TCL.md): a child agent carrying
# copies of a proc and a variable computes on node beta and sends the
# result back to the tree's root. Run on a node that has a peer "beta":
#   itin node start --name beta --listen 127.0.0.1:7001 &
#   itin node start --name alpha --listen 127.0.0.1:7000 --peer beta=127.0.0.1:7001 --agent examples/factorial.tcl
proc factorial n {
    if {$n <= 1} { return 1 }
    expr {$n * [factorial [expr {$n - 1}]]}
}
set number 10
set machine beta
agent_submit $machine -procs factorial -vars number -script {
    agent_send $agent(root) 0 [factorial $number]
}
agent_receive code result -blocking
puts "10! = $result"
