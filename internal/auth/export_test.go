package auth

// LoadViewer exposes loadViewer to the external tests.
var LoadViewer = loadViewer
