proc process {items} {
    foreach group $items {
        foreach item $group {
            if {$item eq "bad"} {
                error "bad item in group {$group}"
            }
            puts "ok $item"
        }
    }
}
process {{a b} {c bad d}}
