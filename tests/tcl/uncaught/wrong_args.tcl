proc takes2 {a b} { return }
puts ok
takes2 1
