puts "before exit"
puts stderr "stderr before exit"
exit 0
puts "never"
