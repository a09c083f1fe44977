package storetest

// connectorsTests is the connectors domain's part of the contract suite.
var connectorsTests = []subTest{}
