puts "about to fail"
this_command_does_not_exist with args
