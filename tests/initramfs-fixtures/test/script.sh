#!/bin/sh
echo scripts are not supported
