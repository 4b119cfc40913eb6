set mode weird
switch $mode {
    normal { puts normal }
    default {
        error "unsupported mode: $mode"
    }
}
