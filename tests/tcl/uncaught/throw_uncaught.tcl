puts "throwing"
throw {APP ERROR 7} "application error seven"
