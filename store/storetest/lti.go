package storetest

// ltiTests is the lti domain's part of the contract suite.
var ltiTests = []subTest{}
