package dev.runbooks.activities;

final class Placeholder {}
