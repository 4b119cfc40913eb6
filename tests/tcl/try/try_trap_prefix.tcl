proc chk {code} {
    try { throw $code msg } trap {A B C} {} { return ABC } trap {A B} {} { return AB } trap {A} {} { return A } on error {} { return other }
}
foreach c {{A B C} {A B C D} {A B} {A X} {A} {B} {AA} {{A B} C}} { puts "$c -> [chk $c]" }
