require ["fileinto", "regex"];

if header :regex "subject" "([a-z]+" {
    fileinto "Broken";
}

if header :frobnicate "to" "x" {
    keep;
}

fileinto;
