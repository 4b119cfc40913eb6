proc p {} {
    catch { error inner "" {IN CODE} } m opts
    dict set opts -errorcode {NEW CODE}
    return -options $opts "replaced message"
}
catch p m
puts $m
puts $::errorCode
puts $::errorInfo
