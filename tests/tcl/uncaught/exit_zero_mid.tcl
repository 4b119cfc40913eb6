puts one
exit
puts never
